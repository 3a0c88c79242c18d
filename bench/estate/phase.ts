/**
 * One measured phase of the estate benchmark, run in its own process so its peak RSS is its own. Prints one JSON
 * document: AWS calls by `service:Operation` (reads and writes apart), CPU and wall time of the measured part.
 *   phase.ts apply <dir>        observe, plan and apply from empty, with health waits (health reads counted apart)
 *   phase.ts controller <dir>   two no-op plans in one process, as the controller makes them (cold, then warm)
 */
import { createAws } from '../../src/aws/clients.js';
import type { CallRecord } from '../../src/aws/counter.js';
import { createSession } from '../../src/observe/context.js';
import { observeAndPlan } from '../../src/engine/pipeline.js';
import { applyPlan, DEFAULT_TIMEOUTS } from '../../src/apply/index.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { isReadOperation } from '../../src/aws/counter.js';

const [phase, dir] = process.argv.slice(2) as [string, string];
const settings = { defaultMode: 'enforce' as const, prune: false };
const revision = await loadRevision(dir);
if (revision.problems.length > 0) throw new Error(`bench estate invalid: ${revision.problems[0]?.message}`);
const aws = createAws({});
const session = createSession(aws, { controllerId: 'ballast' });

const byOperation = (calls: CallRecord[]) => {
  const out: Record<string, number> = {};
  for (const c of calls) out[`${c.service}:${c.operation}`] = (out[`${c.service}:${c.operation}`] ?? 0) + 1;
  return out;
};
async function measure<T>(fn: () => Promise<T>) {
  aws.counter.reset();
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  const used = process.cpuUsage(cpu);
  const calls = [...aws.counter.calls];
  return {
    value,
    figures: {
      wallMs: performance.now() - t,
      cpuMs: (used.user + used.system) / 1000,
      reads: byOperation(calls.filter((c) => isReadOperation(c.operation))),
      writes: byOperation(calls.filter((c) => !isReadOperation(c.operation))),
      failed: calls.filter((c) => c.outcome !== 'success').length,
    },
  };
}

const out: Record<string, unknown> = {};
if (phase === 'apply') {
  let observeCalls = 0;
  const { value: result, figures } = await measure(async () => {
    const { plan, observed } = await observeAndPlan(revision.manifests, session, RECONCILERS, settings);
    observeCalls = aws.counter.calls.length;
    const applyFrom = aws.counter.calls.length;
    const result = await applyPlan(plan, revision.manifests, observed.ctx, RECONCILERS, { timeouts: DEFAULT_TIMEOUTS, pollIntervalMs: 200 });
    // Reads after the plan are the health waits.
    out.health = byOperation(aws.counter.calls.slice(applyFrom).filter((c) => isReadOperation(c.operation)));
    return result;
  });
  out.apply = { ...figures, observeCalls };
  out.failedActions = result.actions.filter((a) => a.state !== 'done').length;
  out.unhealthy = result.health.filter((h) => !h.steady).length;
} else if (phase === 'controller') {
  out.cold = (await measure(() => observeAndPlan(revision.manifests, session, RECONCILERS, settings))).figures;
  out.warm = (await measure(() => observeAndPlan(revision.manifests, session, RECONCILERS, settings))).figures;
} else {
  throw new Error(`unknown phase ${phase}`);
}
out.maxRssMiB = process.resourceUsage().maxRSS / 1024;
console.log(JSON.stringify(out));
