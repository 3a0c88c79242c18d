import { hasChanges, type Plan, type ResourcePlan } from '../plan/types.js';
import type { FieldChange } from '../engine/types.js';
import type { Session } from '../observe/context.js';
import { isDrift } from './plan-text.js';
import { redactInput, redactValue } from './redact.js';

const redacted = (changes: FieldChange[]) => changes.map((c) => ({ ...c, live: redactValue(c.path, c.live), desired: redactValue(c.path, c.desired) }));

const entry = (r: ResourcePlan, fields: FieldChange[]) => ({ key: r.key, kind: r.kind, name: r.name, status: r.status, mode: r.mode, fields: redacted(fields) });

/**
 * The documented JSON shape of a plan (see README, "JSON output"). `drift` holds differences found on resources
 * that exist (what was changed outside Git, or a manifest edit not applied yet); `changes` what the plan makes
 * that is not a difference of a live field: creations, deletions, scaling decisions.
 */
export function planJson(plan: Plan, session: Session, started: number) {
  const drift = plan.resources.filter(isDrift).map((r) => entry(r, r.changes.filter((c) => !c.pending && !c.scaling)));
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
    resources: plan.resources.map((r) => ({ ...r, changes: redacted(r.changes), refused: redacted(r.refused) })),
    actions: plan.actions.map((a) => ({ ...a, calls: a.calls.map((c) => ({ ...c, input: redactInput(c.input) })) })),
    calls: session.aws.counter.summary(),
    durationMs: Date.now() - started,
  };
}
