import type { ApplyResult } from '../apply/index.js';
import type { Plan } from '../plan/types.js';
import type { TargetGate } from './targets.js';

/**
 * The part of a reconcile in the targets this replica still holds at its end. A target lost mid-run (its calls left
 * were refused, `LeaseLost`) leaves its status, report, Slack message and history record to its new holder.
 */
export function stillHeld(plan: Plan, result: ApplyResult, gate: TargetGate): { plan: Plan; result: ApplyResult } {
  const keys = new Set<string>(plan.resources.filter((r) => gate.holds(r.target)).map((r) => r.key));
  if (keys.size === plan.resources.length) return { plan, result };
  return {
    plan: { resources: plan.resources.filter((r) => keys.has(r.key)), actions: plan.actions.filter((a) => keys.has(a.key)) },
    result: { actions: result.actions.filter((a) => keys.has(a.key)), health: result.health.filter((h) => keys.has(h.key)) },
  };
}
