import type { Manifest } from '../schema/index.js';
import type { Plan } from '../plan/types.js';
import { planCost, type PlanCost } from './delta.js';
import { loadPriceTable, priceSource } from './table.js';

/** A plan's cost as every report shows it: the figures and their source, or why there are none. */
export interface PlanCostReport {
  cost?: PlanCost;
  source?: string;
  /** Why there are no figures (no table for the region, a price missing from it). */
  note?: string;
}

/** Prices a plan; a missing table or price leaves the plan as it is, with a note instead of figures. */
export async function costOfPlan(plan: Plan, manifests: Manifest[], region: string, pricesFile?: string): Promise<PlanCostReport> {
  let table;
  try {
    table = await loadPriceTable(region, pricesFile);
  } catch (err) {
    return { note: (err as Error).message };
  }
  const cost = planCost(plan, manifests, table);
  return cost.error ? { note: cost.error } : { cost, source: priceSource(table) };
}

export { deltaOf } from './delta.js';
export { formatDelta } from './format.js';
