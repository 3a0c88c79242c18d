import type { ResourcePlan } from './types.js';

/**
 * How a resource differs from Git by something done outside it:
 * - missing: a manifest names it and AWS has none (deleted by hand, or never applied);
 * - ownership-lost: it exists without this controller's ownership tag (removed, or another controller id);
 * - changed: managed fields differ (a count a scaler chose from traffic is a decision, not drift).
 * Creates in a controller that never saw the resource are told apart by the controller, which remembers.
 */
export type DriftKind = 'missing' | 'ownership-lost' | 'changed';

export function driftOf(r: ResourcePlan): DriftKind | undefined {
  if (r.status === 'create') return 'missing';
  if (r.status === 'unmanaged') return 'ownership-lost';
  const changed = (r.status === 'update' || r.status === 'adopt' || r.refused.length > 0) && r.changes.some((c) => !c.pending && !c.scaling);
  return changed ? 'changed' : undefined;
}

export function isDrift(r: ResourcePlan): boolean {
  return driftOf(r) !== undefined;
}

/** One line for people, e.g. "missing: not found in AWS (deleted by hand, or never applied)". */
export const DRIFT_LABEL: Record<DriftKind, string> = {
  missing: 'missing: not found in AWS (deleted by hand, or never applied); apply recreates it',
  'ownership-lost': 'ownership lost',
  changed: 'changed outside Git',
};
