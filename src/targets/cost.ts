import type { Manifest } from '../schema/index.js';
import { costOfPlan, type PlanCostReport } from '../cost/index.js';
import type { Plan } from '../plan/types.js';
import type { PlannedTargets } from './each.js';

/**
 * Prices each region's resources with that region's price table and adds the figures up. `pricesFile` is the
 * default region's table (--prices); other regions use the shipped tables. A region without a table leaves the whole
 * plan without figures, with a note saying which: a total that leaves some resources out would mislead.
 */
export async function costOfTargets(planned: PlannedTargets, manifests: Manifest[], defaultRegion: string, pricesFile?: string): Promise<PlanCostReport> {
  const byRegion = new Map<string, Plan['resources']>();
  for (const t of planned.targets) {
    const region = t.placement.target?.spec.region ?? defaultRegion;
    byRegion.set(region, [...(byRegion.get(region) ?? []), ...t.plan.resources]);
  }
  if (byRegion.size <= 1) return costOfPlan(planned.plan, manifests, [...byRegion.keys()][0] ?? defaultRegion, pricesFile);
  const reports = await Promise.all(
    [...byRegion].map(([region, resources]) => {
      const keys = new Set(resources.map((r) => r.key));
      const plan = { resources, actions: planned.plan.actions.filter((a) => keys.has(a.key)) };
      return costOfPlan(plan, manifests, region, region === defaultRegion ? pricesFile : undefined);
    }),
  );
  const notes = reports.flatMap((r) => r.note ?? []);
  if (notes.length > 0) return { note: notes.join('; ') };
  const costs = reports.map((r) => r.cost!);
  return {
    cost: {
      deltas: new Map(costs.flatMap((c) => [...c.deltas])),
      total: { low: costs.reduce((n, c) => n + c.total.low, 0), high: costs.reduce((n, c) => n + c.total.high, 0) },
      unpriced: costs.flatMap((c) => c.unpriced),
    },
    source: reports.map((r) => r.source).join('; '),
  };
}
