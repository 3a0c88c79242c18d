import { hasChanges, type Plan } from '../plan/types.js';
import type { Session } from '../observe/context.js';
import { redactValue } from './redact.js';
import type { PlanCostReport } from '../cost/index.js';
import type { Money } from '../cost/estimate.js';

const cents = (m: Money): Money => ({ low: Math.round(m.low * 100) / 100, high: Math.round(m.high * 100) / 100 });
import { driftOf } from '../plan/drift.js';

/** The documented JSON shape of a plan (see README, "JSON output"). */
export function planJson(plan: Plan, session: Session, started: number, cost?: PlanCostReport) {
  const deltas = cost?.cost?.deltas;
  return {
    changes: hasChanges(plan),
    resources: plan.resources.map((r) => ({
      ...r,
      ...(deltas?.has(r.key) ? { costDelta: { monthly: cents(deltas.get(r.key)!.monthly), why: deltas.get(r.key)!.why } } : {}),
      ...(driftOf(r) ? { drift: driftOf(r) } : {}),
      changes: r.changes.map((c) => ({ ...c, live: redactValue(c.path, c.live), desired: redactValue(c.path, c.desired) })),
      refused: r.refused.map((c) => ({ ...c, live: redactValue(c.path, c.live), desired: redactValue(c.path, c.desired) })),
    })),
    actions: plan.actions,
    calls: session.aws.counter.summary(),
    durationMs: Date.now() - started,
    ...(cost ? { cost: cost.cost ? { monthlyDelta: cents(cost.cost.total), currency: 'USD', prices: cost.source, unpriced: cost.cost.unpriced } : { note: cost.note } } : {}),
  };
}
