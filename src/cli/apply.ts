import { timeoutsFrom, type ApplyResult } from '../apply/index.js';
import { applyTargets } from '../targets/each.js';
import { ApplyProgress, interruptOnSigint } from './apply-progress.js';
import { RECONCILERS } from '../reconcilers/index.js';
import { renderPlan } from '../report/plan-text.js';
import { planJson } from '../report/plan-json.js';
import { costOfTargets } from '../targets/cost.js';
import type { Plan } from '../plan/types.js';
import { revisionOf } from './revision.js';
import { paintOf, writeJson, type Io } from './io.js';
import { hasErrors, openTargets, planRevision, validRevision } from './plan.js';
import type { AwsCommandOptions } from './settings.js';
import { cacheFromEnv } from '../cache/index.js';

export interface ApplyCommandOptions extends AwsCommandOptions {
  yes: boolean;
  ecsTimeout?: number;
  dbTimeout?: number;
  pollInterval: number;
  /** Seconds between the "still waiting" lines. */
  progressInterval: number;
  prices?: string;
}

/**
 * Converged: every action done, every changed resource healthy, nothing refused (a field or a prune alike) or
 * unreadable, no resource whose ownership is lost, and no enforced resource left with a difference no call can fix.
 */
export function converged(plan: Plan, result: ApplyResult): boolean {
  return (
    !hasErrors(plan) &&
    plan.resources.every(
      (r) => r.refused.length === 0 && r.status !== 'unmanaged' && !(r.mode === 'enforce' && r.changes.some((c) => c.unfixable)),
    ) &&
    result.actions.every((a) => a.state === 'done') &&
    result.health.every((h) => h.steady)
  );
}

export async function applyCommand(path: string, options: ApplyCommandOptions, io: Io): Promise<number> {
  const revision = await validRevision(path, options, io);
  if (!revision) return 1;
  const sessions = openTargets({ ...options, store: cacheFromEnv(io.env) });
  const session = sessions.base;
  const started = Date.now();
  const planned = await planRevision(revision, options, sessions);
  const { plan } = planned;
  const json = options.output === 'json';
  const cost = await costOfTargets(planned, revision.manifests, await session.aws.region(), options.prices);
  if (!json) io.stdout(renderPlan(plan, { cost, paint: paintOf(io) }));

  if (plan.actions.length > 0 && !options.yes) {
    if (!io.interactive || !io.confirm) {
      io.stderr('refusing to apply without --yes: not on a terminal, so nobody can confirm\n');
      return 1;
    }
    if (!(await io.confirm(`Apply ${plan.actions.length} action(s)?`))) {
      io.stderr('apply cancelled\n');
      return 1;
    }
  }

  const progress = new ApplyProgress(io, options.progressInterval * 1000);
  const sigint = io.interrupt ? undefined : interruptOnSigint();
  const interrupt = io.interrupt ?? sigint!.signal;
  interrupt.addEventListener('abort', () => io.stderr('interrupted: the call in flight finishes, nothing new starts (Ctrl-C again to quit at once)\n'), { once: true });
  if (!json) progress.start();
  // Every target's apply hears the same interruption.
  const { result } = await applyTargets(planned, RECONCILERS, {
    timeouts: timeoutsFrom(options),
    pollIntervalMs: options.pollInterval * 1000,
    onEvent: json ? undefined : progress.onEvent,
    signal: interrupt,
  }).finally(() => {
    progress.stop();
    sigint?.dispose();
  });
  const ok = converged(plan, result);
  const interrupted = interrupt.aborted;
  if (json) {
    writeJson(io, { ...planJson(plan, session, started, cost), result, converged: ok, interrupted }, await revisionOf(path));
  } else {
    if (interrupted) io.stdout(interruptedSummary(progress.unsettled));
    const failed = result.actions.filter((a) => a.state === 'failed');
    const skipped = result.actions.filter((a) => a.state === 'skipped');
    for (const a of failed) io.stdout(`failed  ${a.id}: ${a.error?.code}: ${a.error?.message}\n`);
    for (const a of skipped) io.stdout(`skipped ${a.id}: waits for ${a.reason}\n`);
    for (const h of result.health.filter((x) => !x.steady)) io.stdout(`unhealthy ${h.key}: ${h.reason}\n`);
    for (const r of plan.resources.filter((x) => x.status === 'error')) io.stdout(`error   ${r.error?.at ? `${r.error.at}: ` : ''}${r.key}${r.target !== undefined ? ` (target ${r.target})` : ''}: ${r.error?.code}: ${r.error?.message}\n`);
    const writes = session.aws.counter.writes().length;
    io.stdout(
      `Apply ${ok ? 'converged' : 'did not converge'}: ${result.actions.filter((a) => a.state === 'done').length} done, ${failed.length} failed, ` +
        `${skipped.length} skipped; ${writes} write calls, ${session.aws.counter.calls.length} calls in all, ${((Date.now() - started) / 1000).toFixed(1)}s.\n`,
    );
  }
  return interrupted ? 130 : ok ? 0 : 1;
}

/** What a person who pressed Ctrl-C needs to know: AWS goes on with what was sent; the next apply picks it up. */
function interruptedSummary(unsettled: [string, string][]): string {
  const lines = ['Apply interrupted: calls already sent stay sent, and AWS goes on with them; nothing else was started.'];
  for (const [key, reason] of unsettled) lines.push(`  still settling at AWS: ${key}: ${reason}`);
  lines.push('Run `ballast apply` again to finish: it plans from the live state, so nothing is sent twice.');
  return `${lines.join('\n')}\n`;
}
