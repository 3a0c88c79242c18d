import type { Manifest } from '../schema/index.js';
import { ANNOTATIONS, type Mode } from '../schema/index.js';
import { keyOf, type Observation, type ObserveContext, type ResourceError, type ResourceKey } from '../engine/types.js';
import { RECONCILED_KINDS, type ReconciledKind, type Registry } from '../engine/registry.js';
import { buildObserveContext, ownedArns, type Session } from './context.js';
import { resolveRefs } from './refs.js';

export interface Observed {
  ctx: ObserveContext;
  observations: Map<ResourceKey, Observation<unknown>>;
  /**
   * ARN (or a kind's own id) -> tags of what this controller owns: alarms, the kinds without tags and what the observe
   * found always; every taggable kind when the ownership read had to be complete (see ownershipComplete).
   */
  owned: Map<string, Record<string, string>>;
  /** Kinds whose owned resources could not be listed: prune cannot be complete for them. */
  discoveryErrors: { kind: ReconciledKind; error: ResourceError }[];
}

export interface ObserveSettings {
  defaultMode: Mode;
  prune: boolean;
  /** Read only these resources (every manifest still answers references). */
  only?: Set<ResourceKey>;
  /** The ARNs a controller proved its own: keeping that record needs every owned ARN (src/seen/proof.ts). */
  provenOwned?: ReadonlySet<string>;
}

/**
 * Services and DBs bring their tags in their describe calls, so the tagging API needs to cover them only to find
 * what no manifest names: for prune, and for a controller's record of proven ARNs, which drops those it no longer sees.
 */
function ownershipComplete(settings: ObserveSettings): boolean {
  return settings.prune || settings.provenOwned !== undefined;
}

export function modeOf(m: Manifest, defaultMode: Mode): Mode {
  return m.metadata.annotations?.[ANNOTATIONS.mode] ?? defaultMode;
}

export function errorOf(err: unknown): ResourceError {
  const e = err as { name?: string; code?: string; message?: string; terminal?: boolean; ref?: string; $metadata?: unknown };
  const code = e.code ?? e.name ?? 'Error';
  // AWS access and validation errors will not change by retrying; throttling, 5xx and network errors will.
  const terminal = e.terminal ?? /AccessDenied|Unauthorized|Validation|InvalidParameter|NotFound/i.test(code);
  return { code, message: e.message ?? String(err), terminal, ...(e.ref !== undefined ? { ref: e.ref } : {}) };
}

/**
 * Reads the live state of every manifest not suspended: references and ownership first (two batched reads shared
 * by all kinds), then each kind's batched observe, kinds in parallel. A failing read marks its resources as errors.
 * The ownership read covers the kinds whose describe calls lack tags, and every taggable kind when it must be complete.
 */
export async function observeAll(session: Session, manifests: Manifest[], registry: Registry, settings: ObserveSettings): Promise<Observed> {
  // With targets, only they are read (every manifest still answers references between kinds).
  const active = manifests.filter((m) => modeOf(m, settings.defaultMode) !== 'suspend' && (!settings.only || settings.only.has(keyOf(m))));
  const complete = ownershipComplete(settings);
  const types = RECONCILED_KINDS.map((k) => registry[k])
    .filter((r) => complete || !r.tagsInline)
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
        if (reconciler.tagsInline && o.state === 'found' && o.owned) ownedInline(owned, o.live);
      }
    }),
  );
  // Prune is left out of a targeted plan, so there is nothing to discover for it.
  const discoveryErrors = ownershipError || settings.only ? [] : await discoverOwned(ctx, owned, registry);
  return { ctx, observations, owned, discoveryErrors };
}

/**
 * A resource whose describe call brought its tags, found owned, joins the owned map as the tagging read would have
 * added it: discovery then sees, say, the service a leftover scalable target belongs to.
 */
function ownedInline(owned: Map<string, Record<string, string>>, live: unknown): void {
  const { arn, tags } = live as { arn?: unknown; tags?: Record<string, string> };
  if (typeof arn === 'string' && arn.startsWith('arn:') && tags && !owned.has(arn)) owned.set(arn, tags);
}

/** Adds what the kinds without tags own (dashboards, scalable targets) to the owned map, kinds in parallel. */
async function discoverOwned(ctx: ObserveContext, owned: Map<string, Record<string, string>>, registry: Registry): Promise<Observed['discoveryErrors']> {
  const tagged = new Map(owned);
  const errors: Observed['discoveryErrors'] = [];
  await Promise.all(
    RECONCILED_KINDS.map(async (kind) => {
      const discover = registry[kind].discoverOwned;
      if (!discover) return;
      try {
        for (const [id, tags] of await discover(ctx, tagged)) owned.set(id, tags);
      } catch (err) {
        errors.push({ kind, error: errorOf(err) });
      }
    }),
  );
  return errors;
}
