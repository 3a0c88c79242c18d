import { setTimeout as sleep } from 'node:timers/promises';
import type { DBInstance } from '@aws-sdk/client-rds';
import { ownershipTags } from '../engine/tags.js';
import { errorOf } from '../observe/index.js';
import { identifierOf } from '../reconcilers/db-instance/observe.js';
import type { DbInstance, RestoreDrill } from '../schema/index.js';
import { runChecks } from './checks.js';
import { DRILL_DEADLINE_TAG, DRILL_RUNNER_TAG, DRILL_TAG, deleteDrillInstance, describeInstances, drillIdentifier, isDrillInstance } from './instance.js';
import { findRestorePoint, startRestore } from './restore.js';
import { drillSpec, type DrillSpec } from './spec.js';
import type { DrillContext, DrillOutcome, DrillResult } from './types.js';

/** After its timeout a drill still checks and deletes; its instance becomes a leftover only this much later. */
const DEADLINE_SLACK_MS = 15 * 60_000;

/** Statuses a restore does not come back from. */
const FAILED_STATUSES = new Set([
  'failed',
  'restore-error',
  'incompatible-restore',
  'incompatible-parameters',
  'incompatible-network',
  'incompatible-option-group',
  'inaccessible-encryption-credentials',
  'storage-full',
  'deleting',
]);

/** What each method finds nothing of, for the reason of a drill with nothing to restore. */
const NOTHING_OF: Record<DrillSpec['method'], string> = {
  'latest-automated-snapshot': 'available automated snapshot',
  'latest-manual-snapshot': 'available manual snapshot',
  'point-in-time': 'latest restorable time (are automated backups on?)',
};

type Waited = { copy?: DBInstance } & ({ available: true; at: Date } | { available: false; outcome: DrillOutcome; problem: string });

const seconds = (from: Date, to: Date) => Math.max(0, to.getTime() - from.getTime()) / 1000;

/**
 * Restores the source's backup into a new isolated instance, waits until it is available, runs the checks, measures
 * RTO and RPO, and always deletes the instance again (after a failed check, a timeout or an error too). Never throws:
 * every failure is an outcome.
 */
export async function runDrill(drill: RestoreDrill, source: DbInstance, ctx: DrillContext): Promise<DrillResult> {
  const now = ctx.now ?? (() => new Date());
  const log = ctx.log ?? (() => {});
  const spec = drillSpec(drill);
  const started = now();
  const db = identifierOf(source);
  const result: DrillResult = {
    drill: drill.metadata.name,
    db,
    method: spec.method,
    startedAt: started.toISOString(),
    finishedAt: '',
    outcome: 'error',
    reason: '',
    rtoSeconds: null,
    rpoSeconds: null,
    rtoBudgetSeconds: spec.rtoBudgetMinutes * 60,
    rpoBudgetSeconds: spec.rpoBudgetMinutes * 60,
    restoredFrom: null,
    checks: [],
    drillInstance: null,
  };
  const identifier = drillIdentifier(db, started);
  let restoreSent = false;
  try {
    [result.outcome, result.reason] = await restoreAndCheck();
  } catch (err) {
    const e = errorOf(err);
    [result.outcome, result.reason] = ['error', `${e.code}: ${e.message}`];
  } finally {
    if (restoreSent) await cleanUp();
    result.finishedAt = now().toISOString();
  }
  log(`${result.outcome}: ${result.reason}`);
  return result;

  async function restoreAndCheck(): Promise<[DrillOutcome, string]> {
    if (ctx.signal?.aborted) return ['error', 'stopped before the restore: shutting down'];
    const [live] = await describeInstances(ctx.aws, [db]);
    if (!live) return ['error', `source DB ${db} not found`];
    const point = await findRestorePoint(ctx.aws, spec.method, live);
    if (!point) return ['failed', `nothing to restore: ${db} has no ${NOTHING_OF[spec.method]}`];
    result.restoredFrom = { ...(point.snapshot ? { snapshot: point.snapshot } : {}), time: point.time.toISOString() };
    result.rpoSeconds = seconds(point.time, started);

    log(`restoring ${identifier} (${spec.instanceClass}) from ${point.snapshot ?? `${db} at its latest restorable time`} (${point.time.toISOString()})`);
    const deadline = new Date(started.getTime() + spec.timeoutMinutes * 60_000);
    const tags = {
      ...ownershipTags(ctx.controllerId, drill),
      [DRILL_TAG]: drill.metadata.name,
      [DRILL_DEADLINE_TAG]: new Date(deadline.getTime() + DEADLINE_SLACK_MS).toISOString(),
      [DRILL_RUNNER_TAG]: ctx.runner,
    };
    restoreSent = true;
    await startRestore(ctx.aws, spec, live, point, identifier, tags);
    result.drillInstance = { identifier, instanceClass: spec.instanceClass, deleted: false };

    const waited = await waitAvailable(deadline);
    if (waited.available) result.rtoSeconds = seconds(started, waited.at);
    if (waited.copy) result.checks = runChecks(spec, live, waited.copy);
    if (!waited.available) return [waited.outcome, waited.problem];
    return verdict(spec, result);
  }

  /** Polls until available, a status it will not recover from, the deadline, or shutdown. */
  async function waitAvailable(deadline: Date): Promise<Waited> {
    for (;;) {
      const [copy] = await describeInstances(ctx.aws, [identifier]);
      const at = now();
      const status = copy?.DBInstanceStatus ?? 'gone';
      if (status === 'available') return { copy, available: true, at };
      if (!copy || FAILED_STATUSES.has(status)) return { copy, available: false, outcome: 'failed', problem: `the restore ended in status "${status}"` };
      if (at >= deadline) return { copy, available: false, outcome: 'failed', problem: `not available after ${spec.timeoutMinutes} min (status "${status}")` };
      // Shutting down says nothing about the backups: an error, not a failed drill.
      if (ctx.signal?.aborted) return { copy, available: false, outcome: 'error', problem: `stopped while the restore was "${status}": shutting down` };
      // Wakes early on shutdown; the check above then returns.
      await sleep(ctx.pollIntervalMs, undefined, { signal: ctx.signal }).catch(() => undefined);
    }
  }

  /** Deletes the drill instance if it exists; a failed delete makes the outcome an error (the instance costs money). */
  async function cleanUp(): Promise<void> {
    try {
      const [copy] = await describeInstances(ctx.aws, [identifier]);
      if (copy && isDrillInstance(copy, ctx.controllerId)) {
        await deleteDrillInstance(ctx.aws, copy, ctx.controllerId);
        result.drillInstance = { identifier, instanceClass: spec.instanceClass, deleted: true };
        log(`deleted ${identifier}`);
      }
    } catch (err) {
      const e = errorOf(err);
      const deleteError = `${e.code}: ${e.message}`;
      result.drillInstance = { identifier, instanceClass: spec.instanceClass, deleted: false, deleteError };
      result.reason = `${result.reason}; ${identifier} was not deleted (${deleteError}): the next drill or controller start deletes it`;
      result.outcome = result.outcome === 'failed' ? 'failed' : 'error';
    }
  }
}

/** Checks first (a failed check fails the drill), then the budgets. */
function verdict(spec: DrillSpec, r: DrillResult): [DrillOutcome, string] {
  const failed = r.checks.filter((c) => !c.passed);
  if (failed.length > 0) return ['failed', failed.map((c) => `check ${c.name} failed: ${c.detail}`).join('; ')];
  const over = [
    r.rtoSeconds !== null && r.rtoSeconds > r.rtoBudgetSeconds && `RTO ${duration(r.rtoSeconds)} is over the ${spec.rtoBudgetMinutes} min budget`,
    r.rpoSeconds !== null && r.rpoSeconds > r.rpoBudgetSeconds && `RPO ${duration(r.rpoSeconds)} is over the ${spec.rpoBudgetMinutes} min budget`,
  ].filter((x): x is string => typeof x === 'string');
  if (over.length > 0) return ['budget-exceeded', over.join('; ')];
  return [
    'passed',
    `available after ${duration(r.rtoSeconds ?? 0)} (budget ${spec.rtoBudgetMinutes} min), data ${duration(r.rpoSeconds ?? 0)} old (budget ${spec.rpoBudgetMinutes} min), ${r.checks.length} checks passed`,
  ];
}

/** 12.3 s, 4.5 min, 2.1 h. */
export function duration(secondsValue: number): string {
  if (secondsValue < 90) return `${secondsValue.toFixed(1)} s`;
  if (secondsValue < 90 * 60) return `${(secondsValue / 60).toFixed(1)} min`;
  return `${(secondsValue / 3600).toFixed(1)} h`;
}
