import { setTimeout as sleep } from 'node:timers/promises';
import type { Manifest } from '../schema/index.js';
import type { Health, ObserveContext, ResourceError, ResourceKey } from '../engine/types.js';
import { isReconciledManifest, type AnyReconciler, type ReconciledKind, type ReconciledManifest, type Registry } from '../engine/registry.js';
import { errorOf } from '../observe/index.js';
import type { Plan, PlannedAction } from '../plan/types.js';
import { sendCall } from './send.js';

export interface ApplyOptions {
  /** How long to wait for a resource to become healthy, per kind, in milliseconds. */
  timeouts: Record<ReconciledKind, number>;
  /** Between health reads. */
  pollIntervalMs: number;
  onEvent?: (event: ApplyEvent) => void;
  /** Stops starting new calls and health waits (shutdown); the call in flight finishes. */
  signal?: AbortSignal;
  /**
   * Reads health once instead of waiting (the controller): a resource not yet healthy comes back `progressing` for
   * the caller to follow, and actions that wait for it are left to a later reconcile, planned again from live state.
   * Only a wait that guards a delete (an ECS cluster move: the old service goes once the new one serves) stays.
   */
  deferHealth?: boolean;
}

export const DEFAULT_TIMEOUTS: Record<ReconciledKind, number> = {
  EcsService: 15 * 60_000,
  ServiceAutoscaling: 60_000,
  DbInstance: 90 * 60_000,
  Alarm: 60_000,
  Dashboard: 60_000,
};

/** Per-kind health timeouts, with the ECS and RDS ones a user may set in seconds. */
export function timeoutsFrom(settings: { ecsTimeout?: number; dbTimeout?: number }): Record<ReconciledKind, number> {
  return {
    ...DEFAULT_TIMEOUTS,
    ...(settings.ecsTimeout ? { EcsService: settings.ecsTimeout * 1000 } : {}),
    ...(settings.dbTimeout ? { DbInstance: settings.dbTimeout * 1000 } : {}),
  };
}

export type ApplyEvent =
  | { type: 'action'; id: string; state: 'started' | 'done' | 'skipped' | 'failed'; detail?: string }
  | { type: 'health'; key: ResourceKey; health: Health };

export interface ActionOutcome {
  id: string;
  key: ResourceKey;
  state: 'done' | 'failed' | 'skipped';
  /** Done, and the resource is not healthy yet: its dependants were left to a later reconcile (deferHealth). */
  progressing?: boolean;
  error?: ResourceError;
  /** For skipped: the failed action it depended on. */
  reason?: string;
}

export interface HealthOutcome extends Health {
  key: ResourceKey;
  timedOut?: boolean;
  /** Read once (deferHealth) and not healthy yet, nor failed: the caller follows it. */
  progressing?: boolean;
}

export interface ApplyResult {
  actions: ActionOutcome[];
  health: HealthOutcome[];
}

/**
 * Executes exactly the plan's actions: each after its dependencies, calls bounded per AWS service, a failure
 * stopping only its dependants. Then waits for every changed resource to be healthy.
 */
export async function applyPlan(
  plan: Plan,
  manifests: Manifest[],
  ctx: ObserveContext,
  registry: Registry,
  options: ApplyOptions,
): Promise<ApplyResult> {
  const emit = options.onEvent ?? (() => {});
  const byKey = new Map(manifests.filter(isReconciledManifest).map((m) => [`${m.kind}/${m.metadata.name}`, m]));
  const outcomes = new Map<string, Promise<ActionOutcome>>();
  // A resource already found healthy right after its last action needs no second wait at the end.
  let sequence = 0;
  const lastDone = new Map<ResourceKey, number>();
  const verified = new Map<ResourceKey, { at: number; health: HealthOutcome }>();
  const cadence = Date.now();

  const waitHealthy = (key: ResourceKey, once = options.deferHealth === true): Promise<HealthOutcome> => {
    const m = byKey.get(key);
    if (!m) return Promise.resolve({ key, steady: true, reason: 'deleted' });
    return pollHealth(key, m, registry[m.kind] as AnyReconciler, ctx, { ...options, once, cadence }, emit);
  };
  const guardsDelete = (action: PlannedAction) => plan.actions.some((b) => b.key === action.key && b.op === 'delete' && b.dependsOn.includes(action.id));

  const run = async (action: PlannedAction): Promise<ActionOutcome> => {
    for (const dep of action.dependsOn) {
      const outcome = await outcomes.get(dep);
      if (outcome && outcome.state !== 'done') {
        emit({ type: 'action', id: action.id, state: 'skipped', detail: `${dep} did not complete` });
        return { id: action.id, key: action.key, state: 'skipped', reason: dep };
      }
      if (outcome?.progressing) {
        emit({ type: 'action', id: action.id, state: 'skipped', detail: `${dep} is still progressing: planned again once it is healthy` });
        return { id: action.id, key: action.key, state: 'skipped', reason: `${dep} is progressing` };
      }
    }
    if (options.signal?.aborted) return { id: action.id, key: action.key, state: 'skipped', reason: 'shutdown' };
    emit({ type: 'action', id: action.id, state: 'started', detail: action.summary });
    try {
      for (const call of action.calls) {
        if (options.signal?.aborted) throw Object.assign(new Error('stopped before this call: shutting down'), { code: 'Shutdown' });
        await ctx.limit(call.service, () => sendCall(ctx.aws, call));
      }
      if (action.waitForHealth) {
        const health = await waitHealthy(action.key, options.deferHealth === true && !guardsDelete(action));
        if (!health.steady && !health.progressing) throw Object.assign(new Error(health.reason), { code: health.timedOut ? 'HealthTimeout' : 'Unhealthy' });
        verified.set(action.key, { at: sequence + 1, health });
      }
      lastDone.set(action.key, ++sequence);
      if (verified.get(action.key)?.health.progressing && action.waitForHealth) {
        emit({ type: 'action', id: action.id, state: 'done', detail: 'progressing' });
        return { id: action.id, key: action.key, state: 'done', progressing: true };
      }
    } catch (err) {
      const error = errorOf(err);
      emit({ type: 'action', id: action.id, state: 'failed', detail: `${error.code}: ${error.message}` });
      return { id: action.id, key: action.key, state: 'failed', error };
    }
    emit({ type: 'action', id: action.id, state: 'done' });
    return { id: action.id, key: action.key, state: 'done' };
  };

  // Plan order is topological, so every dependency's promise exists before its dependants look for it.
  for (const action of plan.actions) outcomes.set(action.id, run(action));
  const actions = await Promise.all(outcomes.values());

  const changed = new Set<ResourceKey>();
  for (const a of actions) if (a.state === 'done') changed.add(a.key);
  for (const a of actions) if (a.state !== 'done') changed.delete(a.key);
  const health = await Promise.all(
    [...changed].filter((k) => byKey.has(k)).map((k) => (verified.get(k)?.at === lastDone.get(k) ? verified.get(k)!.health : waitHealthy(k))),
  );
  return { actions, health };
}

/** One health read; a read that fails is unhealthy, and failed for good when its error is terminal. */
export async function readHealth(m: ReconciledManifest, reconciler: AnyReconciler, ctx: ObserveContext): Promise<Health> {
  try {
    return await reconciler.health(m as never, ctx);
  } catch (err) {
    const e = errorOf(err);
    return { steady: false, failed: e.terminal, reason: `${e.code}: ${e.message}` };
  }
}

async function pollHealth(
  key: ResourceKey,
  m: ReconciledManifest,
  reconciler: AnyReconciler,
  ctx: ObserveContext,
  options: ApplyOptions & { once: boolean; cadence: number },
  emit: (e: ApplyEvent) => void,
): Promise<HealthOutcome> {
  const deadline = Date.now() + options.timeouts[m.kind];
  // Waits until the next read: on a beat `beats` intervals apart, never past the deadline; wakes early on shutdown.
  const pause = (beats: number) =>
    sleep(Math.min(untilNextBeat(options.cadence, options.pollIntervalMs * beats), Math.max(0, deadline - Date.now())), undefined, { signal: options.signal }).catch(() => undefined);
  const paced = reconciler.slowToSettle === true && !options.once;
  let beats = 1;
  if (paced) await pause(beats);
  let last = '';
  for (;;) {
    const health = await readHealth(m, reconciler, ctx);
    if (health.reason !== last) emit({ type: 'health', key, health });
    last = health.reason;
    if (health.steady || health.failed) return { key, ...health };
    if (options.once) return { key, ...health, progressing: true };
    if (options.signal?.aborted) return { key, ...health, reason: `shutting down while waiting: ${health.reason}` };
    if (Date.now() >= deadline) return { key, ...health, timedOut: true, reason: `not healthy after ${options.timeouts[m.kind] / 1000}s: ${health.reason}` };
    if (paced) beats = Math.min(beats * 2, slowestBeats(options.pollIntervalMs));
    await pause(beats);
  }
}

/** The longest pause between the reads of a wait that paces them (RDS: creates take minutes, so at most this late). */
const SLOWEST_POLL_MS = 30_000;

/**
 * The most beats a paced wait lets pass between reads: a power of two, so that the beats of waits at different paces
 * fall together (every 8th beat is also every 4th and every 2nd) and their reads share one batched call.
 */
function slowestBeats(interval: number): number {
  let beats = 1;
  while (beats * 2 * interval <= SLOWEST_POLL_MS) beats *= 2;
  return beats;
}

/**
 * The wait for the next poll: to the next beat of the one cadence of the apply (an interval apart from its start),
 * at least half an interval away. Resources that became ready at different times (DBs finish one after another)
 * then fall due together and share a batched read (src/health/batcher.ts).
 */
function untilNextBeat(since: number, interval: number): number {
  const elapsed = Date.now() - since;
  return Math.ceil((elapsed + interval / 2) / interval) * interval - elapsed;
}
