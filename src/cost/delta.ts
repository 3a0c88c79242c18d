import type { Manifest } from '../schema/index.js';
import type { Plan } from '../plan/types.js';
import { estimateCost, sum, type CostLine, type Money } from './estimate.js';
import { formatDelta, isZero } from './format.js';
import type { PriceTable } from './table.js';

/** What a plan does to the monthly bill: per resource that has changes, and in total. */
export interface PlanCost {
  /** Resource key -> monthly delta, only where it is not zero, with the billed items that changed. */
  deltas: Map<string, { monthly: Money; why: string }>;
  total: Money;
  /** Set instead of figures when a price is missing. */
  error?: string;
  /** Changes not priced (resources to prune: their live shape is not a manifest). */
  unpriced: string[];
}

/**
 * Prices the estate as the manifests want it and as it is now (the desired manifests with each change's live value
 * put back, without the resources still to create) and takes the difference, resource by resource. A task-count
 * change of a ServiceAutoscaling moves its service's bill: it is shown on the ServiceAutoscaling.
 */
export function planCost(plan: Plan, manifests: Manifest[], table: PriceTable): PlanCost {
  const byKey = new Map(plan.resources.map((r) => [r.key, r]));
  const desired: Manifest[] = [];
  const live: Manifest[] = [];
  for (const m of manifests) {
    const r = byKey.get(`${m.kind}/${m.metadata.name}`);
    const wanted = structuredClone(m);
    const now = structuredClone(m);
    for (const c of r?.changes ?? []) {
      // A scaler's choice (e.g. replicas 1 -> 2) is the count to price, not the manifest's min..max.
      if (c.scaling) setPath(wanted, c.path, c.desired);
      setPath(now, c.path, c.live);
    }
    desired.push(wanted);
    if (r?.status !== 'create') live.push(now);
  }
  const unpriced = plan.resources.filter((r) => r.status === 'prune' && r.actions.length > 0).map((r) => `${r.key} (to delete)`);
  let before, after;
  try {
    before = new Map(estimateCost(live, table).resources.map((r) => [r.key, r]));
    after = estimateCost(desired, table).resources;
  } catch (err) {
    return { deltas: new Map(), total: { low: 0, high: 0 }, error: (err as Error).message, unpriced };
  }
  const deltas = new Map<string, { monthly: Money; why: string }>();
  for (const r of after) {
    const was = before.get(r.key);
    const monthly = { low: r.monthly.low - (was?.monthly.low ?? 0), high: r.monthly.high - (was?.monthly.high ?? 0) };
    if (isZero(monthly)) continue;
    deltas.set(shownOn(r.key, byKey), { monthly, why: changed(was?.lines ?? [], r.lines) });
  }
  return { deltas, total: sum([...deltas.values()].map((d) => d.monthly)), unpriced };
}

/** The billed items that differ, e.g. "db.r6g.large postgres Multi-AZ -> db.r6g.xlarge postgres Multi-AZ". */
function changed(before: CostLine[], after: CostLine[]): string {
  if (before.length === 0) return 'new';
  const parts = after.map((l, i) => [before[i]?.what, l.what] as const).filter(([a, b]) => a !== b);
  return parts.map(([a, b]) => (a ? `${a} -> ${b}` : b)).join('; ');
}

/** The resource a delta is shown on: a service's own change, else the ServiceAutoscaling that moved its count. */
function shownOn(key: string, plan: Map<string, Plan['resources'][number]>): string {
  const [kind, name] = key.split('/');
  if (kind !== 'EcsService' || (plan.get(key)?.changes.length ?? 0) > 0) return key;
  return plan.has(`ServiceAutoscaling/${name}`) ? `ServiceAutoscaling/${name}` : key;
}

/** Sets a dotted manifest path ("spec.storage.allocatedGiB"); list paths ("containers[app]") cost nothing and are skipped. */
function setPath(target: unknown, path: string, value: unknown): void {
  if (path.includes('[')) return;
  const parts = path.split('.');
  let node = target as Record<string, unknown>;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== 'object' || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

/** The delta text of one resource, or undefined when its cost does not change. */
export function deltaOf(cost: PlanCost | undefined, key: string): string | undefined {
  const d = cost?.deltas.get(key);
  return d ? `${formatDelta(d.monthly)} (${d.why})` : undefined;
}
