import type { Kind, Mode } from '../schema/index.js';
import type { FieldChange, ResourceError, ResourceKey, Step } from '../engine/types.js';
import type { Disruption } from './disruption.js';

/**
 * What a plan says of one resource:
 * - create / update: the actions listed make it match (none in detect mode);
 * - in-sync: nothing to do; pending: only changes AWS already has queued (RDS maintenance window);
 * - adopt: exists without the ownership tag and the manifest asks to adopt it;
 * - unmanaged: exists without the ownership tag: reported, never touched;
 * - prune: owned by this controller but in no manifest; deleted only with prune on;
 * - error: could not be read or planned; suspended: skipped entirely (not even read);
 * - progressing: applied by the controller and not yet healthy (src/progress): nothing is sent again meanwhile.
 */
export type ResourceStatus = 'create' | 'update' | 'in-sync' | 'pending' | 'adopt' | 'unmanaged' | 'prune' | 'error' | 'suspended' | 'progressing';

export interface ResourcePlan {
  key: ResourceKey;
  kind: Kind;
  name: string;
  /** metadata.name of the Target it is applied in; absent for the default target. */
  target?: string;
  mode: Mode;
  status: ResourceStatus;
  /** Managed-field differences, pending ones included (flagged). */
  changes: FieldChange[];
  /**
   * Changes refused for want of an opt-in (allow-destructive, or the change's own annotation), and a refused delete
   * of a prune. The other changes are still sent, unless they carry `waitsFor` (the API cannot send them apart).
   */
  refused: FieldChange[];
  /** Ids of the actions that act on this resource. */
  actions: string[];
  error?: ResourceError;
  /** Why no actions are planned although there are changes (detect mode, prune off, guard). */
  note?: string;
  /** A decision the live state led to, from the reconciler (e.g. "CPUUtilization 40 vs target 60: holding 1"). */
  explanation?: string;
}

/** One step of the plan: the exact AWS calls apply will send, after its dependencies. */
export interface PlannedAction extends Step {
  id: string;
  key: ResourceKey;
  dependsOn: string[];
  /** What the action does to what runs (tasks rolled, DB restarted, ...), from AWS's documented behaviour. */
  disruption: Disruption;
}

export interface Plan {
  resources: ResourcePlan[];
  /** In an order that respects dependsOn. */
  actions: PlannedAction[];
}

/** Anything to do or to look at: actions, differences, refusals, a resource missing or whose ownership is lost. */
export function hasChanges(plan: Plan): boolean {
  return (
    plan.actions.length > 0 ||
    plan.resources.some((r) => r.changes.some((c) => !c.pending) || r.refused.length > 0 || r.status === 'create' || r.status === 'unmanaged')
  );
}
