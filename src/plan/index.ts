import type { Manifest, Mode } from '../schema/index.js';
import { ANNOTATIONS, isKind } from '../schema/index.js';
import { keyOf, ResourceFailure, type Context, type FieldChange, type Observation, type ResourceError, type ResourceKey, type Step } from '../engine/types.js';
import { isReconciled, isReconciledManifest, type AnyReconciler, type ReconciledManifest, type Registry } from '../engine/registry.js';
import { ALLOW_DESTRUCTIVE_TAG, MANAGED_BY_TAG, MANIFEST_TAG, allowsDestructive, wantsAdoption } from '../engine/tags.js';
import { errorOf, modeOf } from '../observe/index.js';
import type { Plan, PlannedAction, ResourcePlan } from './types.js';
import { disruptionOf } from './disruption.js';
import { provenOwned } from './prune-guard.js';

export interface PlanOptions {
  defaultMode: Mode;
  /** Delete owned resources that are in no manifest. Off by default. */
  prune: boolean;
  /** Why prune must not delete anything this run (e.g. the default controller id, not stated): prune candidates are refused. */
  pruneRefusal?: string;
  /** ARNs proven this controller's despite pruneRefusal (src/plan/prune-guard.ts); the others stay refused. */
  provenOwned?: ReadonlySet<string>;
  /** Plan only these resources (and what they depend on: see selectTargets); prune is left out. */
  only?: Set<ResourceKey>;
}

export interface PlanInput {
  ctx: Context;
  observations: Map<ResourceKey, Observation<unknown>>;
  owned: Map<string, Record<string, string>>;
  /** Kinds whose owned resources could not be listed for prune. */
  discoveryErrors?: { kind: ReconciledManifest['kind']; error: ResourceError }[];
}

interface Draft {
  resource: ResourcePlan;
  steps: Step[];
  dependsOn: string[];
}

/** Pure: from manifests and what was observed, the per-resource verdicts and the ordered actions that close the gap. */
export function buildPlan(manifests: Manifest[], input: PlanInput, registry: Registry, options: PlanOptions): Plan {
  // A RestoreDrill names no resource to reconcile: the controller runs it on its schedule.
  const selected = manifests.filter(isReconciledManifest).filter((m) => !options.only || options.only.has(keyOf(m)));
  const drafts: Draft[] = selected.map((m) => planResource(m, input, registry[m.kind] as AnyReconciler, options.defaultMode));
  if (!options.only) {
    drafts.push(...pruneDrafts(manifests, input.owned, registry, options));
    // Nothing owned may go unmentioned: a kind that could not be listed is an error of its own.
    for (const { kind, error } of input.discoveryErrors ?? []) {
      const resource: ResourcePlan = { key: `${kind}/*`, kind, name: '*', mode: 'enforce', status: 'error', changes: [], refused: [], actions: [] };
      drafts.push({ resource: { ...resource, error: { ...error, message: `cannot list owned ${kind} resources for prune: ${error.message}` } }, steps: [], dependsOn: [] });
    }
  }

  holdBackDependants(drafts);
  const byKey = new Map(manifests.map((m) => [keyOf(m), m]));
  const actions = orderActions(drafts).map((a, _i, all) => {
    const siblings = all.filter((b) => b.key === a.key && b !== a);
    return { ...a, disruption: disruptionOf(a, byKey.get(a.key), siblings) };
  });
  return { resources: drafts.map((d) => d.resource), actions };
}

/** Why the dependants of this resource must wait this run, or undefined when they may go ahead. */
function blocker(dep: Draft): string | undefined {
  const r = dep.resource;
  // Its picture may be stale: acting on top of it could do harm.
  if (r.status === 'error') return `which failed: ${r.error?.message ?? ''}`;
  // Ballast must not change what hangs off a resource it does not own (e.g. register scaling on someone's service).
  if (r.status === 'unmanaged') return 'which Ballast does not own';
  // Detect mode, a refusal or its own wait: it will not exist when the dependant's calls run.
  if (r.status === 'create' && dep.steps.length === 0) return `which is not created in this run${r.note ? ` (${r.note})` : ''}`;
  return undefined;
}

/** Empties the steps of every resource whose dependency blocks it, in dependency order so that waiting carries down a chain. */
function holdBackDependants(drafts: Draft[]): void {
  const byKey = new Map(drafts.map((d) => [d.resource.key, d]));
  const settled = new Set<Draft>();
  const settle = (d: Draft): void => {
    // Marked before its dependencies are visited, so a cycle ends here (orderActions reports it).
    if (settled.has(d)) return;
    settled.add(d);
    const deps = d.dependsOn.flatMap((k) => byKey.get(k as ResourceKey) ?? []);
    deps.forEach(settle);
    const blocked = deps.map((dep) => ({ dep, why: blocker(dep) })).find((b) => b.why !== undefined);
    if (blocked && d.steps.length > 0) {
      d.steps = [];
      d.resource.note = `waits for ${blocked.dep.resource.key}, ${blocked.why}`;
    }
  };
  drafts.forEach(settle);
}

function planResource(m: ReconciledManifest, input: PlanInput, reconciler: AnyReconciler, defaultMode: Mode): Draft {
  const mode = modeOf(m, defaultMode);
  const resource: ResourcePlan = { key: keyOf(m), kind: m.kind, name: m.metadata.name, mode, status: 'suspended', changes: [], refused: [], actions: [] };
  const draft: Draft = { resource, steps: [], dependsOn: reconciler.dependsOn(m as never) };
  if (mode === 'suspend') return draft;
  const observed = input.observations.get(resource.key) ?? { state: 'missing' };
  try {
    if (observed.state === 'error') {
      resource.status = 'error';
      resource.error = observed.error;
    } else if (observed.state === 'missing') {
      resource.status = 'create';
      draft.steps = reconciler.steps(m as never, undefined, [], input.ctx);
    } else if (!observed.owned && !wantsAdoption(m)) {
      // Ownership lost (or never had): shown with the differences Ballast would fix, never written.
      resource.status = 'unmanaged';
      resource.changes = reconciler.diff(m as never, observed.live, input.ctx);
      resource.note = `ownership lost: exists without ${MANAGED_BY_TAG}=${input.ctx.controllerId}, so Ballast changes nothing here; annotate ${ANNOTATIONS.adopt}: "true" to take it back`;
    } else {
      resource.changes = reconciler.diff(m as never, observed.live, input.ctx);
      resource.explanation = reconciler.explain?.(observed.live);
      const actionable = resource.changes.filter((c) => !c.pending);
      resource.refused = actionable.filter((c) => isRefused(c, m));
      const sendable = holdBack(actionable.filter((c) => !c.unfixable && !resource.refused.includes(c)), resource.refused, reconciler);
      if (!observed.owned) {
        resource.status = 'adopt';
        // The tag goes on first: with tag-scoped IAM the other writes are only allowed once the resource is owned.
        draft.steps = [
          { op: 'update', part: 'adopt', summary: 'add the ownership tag', calls: reconciler.adoptCalls?.(m as never, observed.live, input.ctx) ?? [] },
          ...reconciler.steps(m as never, observed.live, sendable, input.ctx).map((step) => ({ ...step, after: step.after ?? ['adopt'] })),
        ];
      } else if (actionable.length === 0) {
        resource.status = resource.changes.length > 0 ? 'pending' : 'in-sync';
      } else {
        resource.status = 'update';
        draft.steps = sendable.length > 0 ? reconciler.steps(m as never, observed.live, sendable, input.ctx) : [];
      }
      if (resource.refused.length > 0) resource.note = refusalNote(resource.refused, resource.changes);
    }
  } catch (err) {
    if (!(err instanceof ResourceFailure)) throw err;
    resource.status = 'error';
    resource.error = errorOf(err);
    draft.steps = [];
  }
  if (mode === 'detect' && draft.steps.length > 0) {
    draft.steps = [];
    resource.note = 'detect mode: reported, not applied';
  }
  return draft;
}

/** A destructive change without allow-destructive, or one that needs an opt-in annotation the manifest lacks. */
function isRefused(c: FieldChange, m: ReconciledManifest): boolean {
  if (c.destructive && !allowsDestructive(m)) return true;
  return c.optIn !== undefined && (m.metadata.annotations as Record<string, string> | undefined)?.[c.optIn.annotation] !== 'true';
}

/**
 * The changes that may still be sent beside the refused ones. Where a refusal cannot be split from the rest (the
 * reconciler says which), every other change waits for it and says so.
 */
function holdBack(changes: FieldChange[], refused: FieldChange[], reconciler: AnyReconciler): FieldChange[] {
  const blocking = refused.filter((r) => reconciler.inseparable?.some((p) => r.path === p || r.path.startsWith(`${p}.`)));
  if (blocking.length === 0) return changes;
  for (const c of changes) c.waitsFor = blocking.map((r) => r.path);
  return [];
}

function refusalNote(refused: FieldChange[], changes: FieldChange[]): string {
  const why = refused.map((c) => `${c.path} (${c.destructive ?? c.optIn?.reason})`).join('; ');
  const annotations = [...new Set(refused.map((c) => (c.destructive ? ANNOTATIONS.allowDestructive : c.optIn!.annotation)))];
  const waiting = changes.filter((c) => c.waitsFor);
  const held = waiting.length > 0 ? `; ${waiting.map((c) => c.path).join(', ')} wait for ${[...new Set(waiting.flatMap((c) => c.waitsFor!))].join(', ')}` : '; the other changes go ahead';
  return `refused: ${why}${held}; annotate ${annotations.map((a) => `${a}: "true"`).join(' and ')} to allow`;
}

type Prunable = AnyReconciler & Required<Pick<AnyReconciler, 'deleteSteps'>>;
const isPrunable = (r: AnyReconciler): r is Prunable => r.deleteSteps !== undefined;

/** Owned resources (by the manifest tag) that no manifest of this revision names. */
function pruneDrafts(manifests: Manifest[], owned: Map<string, Record<string, string>>, registry: Registry, options: PlanOptions): Draft[] {
  const inRevision = new Set(manifests.map(keyOf));
  const groups = new Map<ResourceKey, { reconciler: Prunable; members: { arn: string; tags: Record<string, string> }[] }>();
  for (const [arn, tags] of owned) {
    const key = tags[MANIFEST_TAG] as ResourceKey | undefined;
    // Drill instances carry their RestoreDrill's manifest tag: the drill runner deletes them, never prune.
    const kind = key?.split('/')[0];
    if (!key || inRevision.has(key) || !isKind(kind) || !isReconciled(kind)) continue;
    // Only kinds found by tag reach here, and those delete; a hand-set manifest tag naming another kind does not.
    const reconciler = registry[kind] as AnyReconciler;
    if (!isPrunable(reconciler)) continue;
    const group = groups.get(key) ?? { reconciler, members: [] };
    group.members.push({ arn, tags });
    groups.set(key, group);
  }
  return [...groups].map(([key, { reconciler, members }]) => {
    const [kind, name] = key.split('/') as [ReconciledManifest['kind'], string];
    const resource: ResourcePlan = { key, kind, name, mode: 'enforce', status: 'prune', changes: [], refused: [], actions: [] };
    const draft: Draft = { resource, steps: [], dependsOn: [] };
    const guarded = reconciler.deleteIsDestructive && members.some((m) => m.tags[ALLOW_DESTRUCTIVE_TAG] !== 'true');
    const refuse = (why: string) => {
      // A refused delete counts like a refused field: apply does not call the estate converged.
      resource.refused = [{ path: 'delete', live: 'exists', desired: 'deleted', destructive: why }];
      resource.note = `refused: ${why}`;
    };
    if (!options.prune) resource.note = 'owned but in no manifest: deleted only with prune on';
    else if (options.pruneRefusal && !provenOwned(members, options.provenOwned)) refuse(options.pruneRefusal);
    else if (guarded) refuse(`deleting a ${kind} needs the ${ALLOW_DESTRUCTIVE_TAG}=true tag, set by annotating the manifest before removing it`);
    else {
      // Members other than the one named like the manifest (e.g. read replicas) go first.
      const isNamed = (arn: string) => arn.split(/[:/]/).pop() === name;
      const ordered = [...members].sort((a, b) => Number(isNamed(a.arn)) - Number(isNamed(b.arn)));
      // Deletes run one after another, so a read replica is gone before its source.
      const steps = ordered.flatMap((m) => reconciler.deleteSteps(reconciler.nameOf?.(m.arn) ?? name, m.arn));
      draft.steps = steps.map((s, k) => ({ ...s, part: `delete-${k + 1}`, after: k > 0 ? [`delete-${k}`] : [] }));
    }
    return draft;
  });
}

/** Gives actions ids, wires dependencies (own parts, then every action of each resource depended on) and sorts them. */
function orderActions(drafts: Draft[]): Unmarked[] {
  const idOf = (key: ResourceKey, step: Step, index: number, count: number) =>
    step.part ? `${key}#${step.part}` : count > 1 ? `${key}#${index + 1}` : key;
  const ids = new Map<ResourceKey, string[]>();
  for (const d of drafts) {
    const list = d.steps.map((s, i) => idOf(d.resource.key, s, i, d.steps.length));
    ids.set(d.resource.key, list);
    d.resource.actions = list;
  }
  const actions: Unmarked[] = [];
  for (const d of drafts) {
    const external = d.dependsOn.flatMap((k) => ids.get(k as ResourceKey) ?? []);
    d.steps.forEach((step, i) => {
      const own = (step.after ?? []).map((part) => `${d.resource.key}#${part}`);
      actions.push({ ...step, id: ids.get(d.resource.key)![i]!, key: d.resource.key, dependsOn: [...own, ...external] });
    });
  }
  return topological(actions);
}

type Unmarked = Omit<PlannedAction, 'disruption'>;

function topological(actions: Unmarked[]): Unmarked[] {
  const byId = new Map(actions.map((a) => [a.id, a]));
  const done = new Set<string>();
  const out: Unmarked[] = [];
  const visit = (a: Unmarked, path: Set<string>) => {
    if (done.has(a.id)) return;
    if (path.has(a.id)) throw new Error(`dependency cycle through ${a.id}`);
    path.add(a.id);
    for (const dep of a.dependsOn) {
      const d = byId.get(dep);
      if (d) visit(d, path);
    }
    path.delete(a.id);
    done.add(a.id);
    out.push(a);
  };
  for (const a of actions) visit(a, new Set());
  // Only dependencies that are actions of this plan stay: others are already satisfied.
  return out.map((a) => ({ ...a, dependsOn: a.dependsOn.filter((d) => byId.has(d)) }));
}

