import type { Manifest } from '../schema/index.js';
import { keyOf, type ResourceError } from '../engine/types.js';
import { isReconciledManifest, type Registry } from '../engine/registry.js';
import { observeAndPlan, type PlanSettings } from '../engine/pipeline.js';
import { applyPlan, type ApplyOptions, type ApplyResult } from '../apply/index.js';
import { errorOf, modeOf, type Observed } from '../observe/index.js';
import type { Session } from '../observe/context.js';
import type { Plan } from '../plan/types.js';
import { placements, type Placement } from './placement.js';
import type { TargetSessions } from './sessions.js';

/** One target's part of a reconcile: its manifests, its session, what was read there and its plan. */
export interface TargetPlan {
  placement: Placement;
  session: Session;
  /** Absent when the target could not be reached (its role not assumed): then every resource of it is an error. */
  observed?: Observed;
  plan: Plan;
}

/** Every target's plan merged into one (resource keys are unique across the revision), with the parts to apply. */
export interface PlannedTargets {
  plan: Plan;
  targets: TargetPlan[];
  /** What was read in every reachable target, merged: the owned ARNs and observations (for the controller's proof of ownership). */
  observed?: Observed;
}

/**
 * observe -> diff -> plan once per target, all targets at once, each in its own account and region. A target whose
 * role cannot be assumed, or whose pipeline fails as a whole, makes errors of its own resources only. `holds` picks
 * the targets this replica reconciles when replicas share them (src/sharing); the others are not read at all.
 */
export async function planTargets(
  manifests: Manifest[],
  sessions: TargetSessions,
  registry: Registry,
  settings: PlanSettings,
  holds: (target: string | undefined) => boolean = () => true,
): Promise<PlannedTargets> {
  const chosen = placements(manifests).filter((p) => holds(p.name) && (!settings.only || p.manifests.some((m) => settings.only!.has(keyOf(m)))));
  const targets = await Promise.all(
    chosen.map(async (placement): Promise<TargetPlan> => {
      const session = sessions.for(placement.target);
      try {
        // Credentials first: a role that cannot be assumed is one error, not one per read.
        if (placement.target) await session.aws.sts.config.credentials();
        const { observed, plan } = await observeAndPlan(placement.manifests, session, registry, settings);
        return { placement, session, observed, plan: named(plan, placement.name) };
      } catch (err) {
        return { placement, session, plan: failedPlan(placement, errorOf(err), settings) };
      }
    }),
  );
  const reached = targets.flatMap((t) => t.observed ?? []);
  return {
    plan: { resources: targets.flatMap((t) => t.plan.resources), actions: targets.flatMap((t) => t.plan.actions) },
    targets,
    observed: reached[0] && {
      ...reached[0],
      owned: new Map(reached.flatMap((o) => [...o.owned])),
      observations: new Map(reached.flatMap((o) => [...o.observations])),
      discoveryErrors: reached.flatMap((o) => o.discoveryErrors),
    },
  };
}

/**
 * Applies each target's plan with its own clients, targets side by side: a failing or slow target holds up no other.
 * Returns the merged result and each target's own.
 */
export async function applyTargets(
  planned: PlannedTargets,
  registry: Registry,
  options: ApplyOptions,
): Promise<{ result: ApplyResult; each: { target: TargetPlan; result: ApplyResult }[] }> {
  const each = await Promise.all(
    planned.targets.map(async (target) => {
      // A target that could not be read has nothing to apply.
      const result = target.observed
        ? await applyPlan({ ...target.plan, actions: planned.plan.actions.filter((a) => target.plan.actions.includes(a)) }, target.placement.manifests, target.observed.ctx, registry, options)
        : { actions: [], health: [] };
      return { target, result };
    }),
  );
  return { result: { actions: each.flatMap((e) => e.result.actions), health: each.flatMap((e) => e.result.health) }, each };
}

function named(plan: Plan, target: string | undefined): Plan {
  if (target !== undefined) for (const r of plan.resources) r.target = target;
  return plan;
}

/** Every resource of a target that could not be read is an error; a target with none still shows, as itself. */
function failedPlan(placement: Placement, error: ResourceError, settings: PlanSettings): Plan {
  const own = placement.manifests.filter(isReconciledManifest).filter((m) => !settings.only || settings.only.has(keyOf(m)));
  // Its owned resources could not be listed for prune either: the failure must not go unmentioned.
  const failed = own.length > 0 || !placement.target ? own : [placement.target];
  const resources = failed.map((m) => ({
    key: keyOf(m),
    kind: m.kind,
    name: m.metadata.name,
    ...(placement.name !== undefined ? { target: placement.name } : {}),
    mode: modeOf(m, settings.defaultMode),
    status: 'error' as const,
    error,
    changes: [],
    refused: [],
    actions: [],
  }));
  return { resources, actions: [] };
}
