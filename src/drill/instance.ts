import { DeleteDBInstanceCommand, ModifyDBInstanceCommand, type DBInstance } from '@aws-sdk/client-rds';
import type { Aws } from '../aws/clients.js';
import { MANAGED_BY_TAG } from '../engine/tags.js';
import { ownedArns } from '../observe/context.js';
import { BATCH, describeByIds, identifierOfArn, tagsOf } from '../reconcilers/db-instance/observe.js';
import { errorOf } from '../observe/index.js';
import { chunks } from '../aws/batch.js';
import type { DrillRunner } from './types.js';

/** On every drill instance: the RestoreDrill that made it. */
export const DRILL_TAG = 'ballast.dev/drill';
/** On every drill instance: when (ISO time) no drill waits on it any more; from then on it is a leftover. */
export const DRILL_DEADLINE_TAG = 'ballast.dev/drill-deadline';
/** On every drill instance: `controller` or `cli`, who runs the drill (see CleanupOptions.crashed). */
export const DRILL_RUNNER_TAG = 'ballast.dev/drill-runner';

/** DescribeDBInstances takes up to 100 identifiers per filter. */

/** `<source>-drill-<yyyymmddhhmm>` (UTC). */
export function drillIdentifier(source: string, at: Date): string {
  return `${source}-drill-${at.toISOString().replace(/[-:T]/g, '').slice(0, 12)}`;
}

/** Only instances a drill of this controller made are ever deleted here. */
export function isDrillInstance(i: DBInstance, controllerId: string): boolean {
  const tags = tagsOf(i);
  return tags[DRILL_TAG] !== undefined && tags[MANAGED_BY_TAG] === controllerId;
}

/** Describes without a session's concurrency limit: a drill makes few calls, one after another. */
export async function describeInstances(aws: Aws, ids: string[]): Promise<DBInstance[]> {
  const out: DBInstance[] = [];
  for (const batch of chunks(ids, BATCH)) out.push(...(await describeByIds({ aws, limit: (_, fn) => fn() }, batch)));
  return out;
}

/** Deletes a drill instance for good: no final snapshot, no retained backups. Refuses any other instance. */
export async function deleteDrillInstance(aws: Aws, instance: DBInstance, controllerId: string): Promise<void> {
  const DBInstanceIdentifier = instance.DBInstanceIdentifier ?? '';
  if (!isDrillInstance(instance, controllerId)) {
    throw new Error(`${DBInstanceIdentifier} lacks the ${DRILL_TAG} and ${MANAGED_BY_TAG}=${controllerId} tags: refusing to delete it`);
  }
  // Drills restore without deletion protection, but a restore may inherit it (the emulator does) or a person may set it.
  if (instance.DeletionProtection) {
    await aws.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier, DeletionProtection: false, ApplyImmediately: true }));
  }
  await aws.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }));
}

export interface CleanupOptions {
  now?: Date;
  /**
   * Also delete this runner's drill instances whose deadline is still ahead: the controller says so as it starts
   * leading, when none of its own drills can be running. A CLI drill's copy is never deleted before its deadline,
   * since `ballast drill run` may be in flight in someone's terminal; neither is a copy that does not say who made it.
   */
  crashed?: DrillRunner;
}

export interface CleanupResult {
  deleted: string[];
  failed: { identifier: string; error: string }[];
}

/**
 * Deletes drill instances left behind by a crash: tagged as drills of this controller (one tagging-API read) and past
 * their deadline (or, with `crashed`, made by that runner). Instances already deleting are skipped; one failed delete does not stop the rest.
 */
export async function cleanupLeftovers(aws: Aws, controllerId: string, options: CleanupOptions = {}): Promise<CleanupResult> {
  const now = (options.now ?? new Date()).getTime();
  const owned = await ownedArns(aws, controllerId, ['rds:db']);
  const ids = [...owned]
    .filter(([, tags]) => tags[DRILL_TAG] !== undefined)
    // A missing or unreadable deadline cannot belong to a running drill.
    .filter(([, tags]) => (options.crashed && tags[DRILL_RUNNER_TAG] === options.crashed) || !(Date.parse(tags[DRILL_DEADLINE_TAG] ?? '') > now))
    .map(([arn]) => identifierOfArn(arn));
  const result: CleanupResult = { deleted: [], failed: [] };
  if (ids.length === 0) return result;
  for (const instance of await describeInstances(aws, ids)) {
    const identifier = instance.DBInstanceIdentifier ?? '';
    if (instance.DBInstanceStatus === 'deleting' || !isDrillInstance(instance, controllerId)) continue;
    try {
      await deleteDrillInstance(aws, instance, controllerId);
      result.deleted.push(identifier);
    } catch (err) {
      const e = errorOf(err);
      result.failed.push({ identifier, error: `${e.code}: ${e.message}` });
    }
  }
  return result;
}
