import { hasChanges, type Plan, type ResourcePlan } from '../plan/types.js';
import type { FieldChange } from '../engine/types.js';
import type { Session } from '../observe/context.js';
import { redactInput, redactValue } from './redact.js';
import type { PlanCostReport } from '../cost/index.js';
import type { Money } from '../cost/estimate.js';
import { driftOf, isDrift } from '../plan/drift.js';

const cents = (m: Money): Money => ({ low: Math.round(m.low * 100) / 100, high: Math.round(m.high * 100) / 100 });

const redacted = (changes: FieldChange[]) => changes.map((c) => ({ ...c, live: redactValue(c.path, c.live), desired: redactValue(c.path, c.desired) }));

const entry = (r: ResourcePlan, fields: FieldChange[]) => {
  const drift = driftOf(r);
  return { key: r.key, kind: r.kind, name: r.name, ...(r.target !== undefined ? { target: r.target } : {}), status: r.status, mode: r.mode, ...(drift ? { drift } : {}), fields: redacted(fields) };
};

/**
 * The documented JSON shape of a plan (see README, "JSON output"). `drift` holds differences found on resources
 * that exist (what was changed outside Git, or a manifest edit not applied yet, or ownership lost); `changes` what
 * the plan makes that is not a difference of a live field: creations (a resource deleted by hand among them, marked
 * `drift: missing`: the CLI cannot tell it from one never applied), deletions, scaling decisions. `ballast drift`,
 * whose job is to report, lists missing resources under `drift` too.
 */
export function planJson(plan: Plan, session: Session, started: number, cost?: PlanCostReport, options: { missingIsDrift?: boolean } = {}) {
  const deltas = cost?.cost?.deltas;
  const drift = plan.resources.filter((r) => isDrift(r) && (options.missingIsDrift || r.status !== 'create')).map((r) => entry(r, r.changes.filter((c) => !c.pending && !c.scaling)));
  const changes = plan.resources.flatMap((r) => {
    if (r.status === 'create' || (r.status === 'prune' && r.actions.length > 0)) return [entry(r, r.changes.filter((c) => !c.pending))];
    const scaling = r.changes.filter((c) => c.scaling);
    return scaling.length > 0 ? [entry(r, scaling)] : [];
  });
  return {
    errored: plan.resources.some((r) => r.status === 'error'),
    hasChanges: hasChanges(plan),
    changes,
    drift,
    resources: plan.resources.map((r) => ({
      ...r,
      ...(deltas?.has(r.key) ? { costDelta: { monthly: cents(deltas.get(r.key)!.monthly), why: deltas.get(r.key)!.why } } : {}),
      ...(driftOf(r) ? { drift: driftOf(r) } : {}),
      changes: redacted(r.changes),
      refused: redacted(r.refused),
    })),
    actions: plan.actions.map((a) => ({ ...a, calls: a.calls.map((c) => ({ ...c, input: redactInput(c.input) })) })),
    calls: session.aws.counter.summary(),
    durationMs: Date.now() - started,
    ...(cost ? { cost: cost.cost ? { monthlyDelta: cents(cost.cost.total), currency: 'USD', prices: cost.source, unpriced: cost.cost.unpriced } : { note: cost.note } } : {}),
  };
}
