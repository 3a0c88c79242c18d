import type { Manifest } from '../schema/index.js';
import { ANNOTATIONS, type Mode } from '../schema/index.js';
import { keyOf, type Observation, type ObserveContext, type ResourceError, type ResourceKey } from '../engine/types.js';
import { RECONCILED_KINDS, type ReconciledKind, type Registry } from '../engine/registry.js';
import { buildObserveContext, ownedArns, type Session } from './context.js';
import { resolveRefs } from './refs.js';

export interface Observed {
  ctx: ObserveContext;
  observations: Map<ResourceKey, Observation<unknown>>;
  /** ARN -> tags of what this controller owns, of the kinds the ownership read covered (all taggable ones with prune). */
  owned: Map<string, Record<string, string>>;
}

export function modeOf(m: Manifest, defaultMode: Mode): Mode {
  return m.metadata.annotations?.[ANNOTATIONS.mode] ?? defaultMode;
}

export function errorOf(err: unknown): ResourceError {
  const e = err as { name?: string; code?: string; message?: string; terminal?: boolean; $metadata?: unknown };
  const code = e.code ?? e.name ?? 'Error';
  // AWS access and validation errors will not change by retrying; throttling, 5xx and network errors will.
  const terminal = e.terminal ?? /AccessDenied|Unauthorized|Validation|InvalidParameter|NotFound/i.test(code);
  return { code, message: e.message ?? String(err), terminal };
}

/**
 * Reads the live state of every manifest not suspended: references and ownership first (two batched reads shared
 * by all kinds), then each kind's batched observe, kinds in parallel. A failing read marks its resources as errors.
 * The ownership read covers the kinds whose describe calls lack tags, and every taggable kind when prune is on (to
 * find what no manifest names).
 */
export async function observeAll(session: Session, manifests: Manifest[], registry: Registry, settings: { defaultMode: Mode; prune: boolean }): Promise<Observed> {
  const active = manifests.filter((m) => modeOf(m, settings.defaultMode) !== 'suspend');
  const types = RECONCILED_KINDS.map((k) => registry[k])
    .filter((r) => settings.prune || !r.tagsInline)
    .flatMap((r) => (r.taggingType ? [r.taggingType] : []));
  let ownershipError: ResourceError | undefined;
  const [refs, owned] = await Promise.all([
    resolveRefs(active, session.aws),
    ownedArns(session.aws, session.controllerId, types).catch((err: unknown) => {
      ownershipError = errorOf(err);
      return new Map<string, Record<string, string>>();
    }),
  ]);
  const ctx = buildObserveContext(session, manifests, refs, owned);
  const observations = new Map<ResourceKey, Observation<unknown>>();

  await Promise.all(
    RECONCILED_KINDS.map(async (kind: ReconciledKind) => {
      const reconciler = registry[kind];
      const mine = active.filter((m) => m.kind === kind);
      if (mine.length === 0) return;
      let result: Map<string, Observation<unknown>>;
      try {
        result = await reconciler.observe(mine as never[], ctx);
      } catch (err) {
        const error = errorOf(err);
        result = new Map(mine.map((m) => [m.metadata.name, { state: 'error', error }]));
      }
      for (const m of mine) {
        let o = result.get(m.metadata.name) ?? { state: 'missing' };
        // Without the tagging read, "not owned" may be wrong: report instead of treating it as unmanaged.
        if (ownershipError && reconciler.taggingType && !reconciler.tagsInline && o.state === 'found' && !o.owned) {
          o = { state: 'error', error: { ...ownershipError, message: `cannot read ownership tags: ${ownershipError.message}` } };
        }
        observations.set(keyOf(m), o);
      }
    }),
  );
  return { ctx, observations, owned };
}
