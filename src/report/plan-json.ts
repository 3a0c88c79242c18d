import { hasChanges, type Plan } from '../plan/types.js';
import type { Session } from '../observe/context.js';
import { redactValue } from './redact.js';
import { driftOf } from '../plan/drift.js';

/** The documented JSON shape of a plan (see README, "JSON output"). */
export function planJson(plan: Plan, session: Session, started: number) {
  return {
    changes: hasChanges(plan),
    resources: plan.resources.map((r) => ({
      ...r,
      ...(driftOf(r) ? { drift: driftOf(r) } : {}),
      changes: r.changes.map((c) => ({ ...c, live: redactValue(c.path, c.live), desired: redactValue(c.path, c.desired) })),
      refused: r.refused.map((c) => ({ ...c, live: redactValue(c.path, c.live), desired: redactValue(c.path, c.desired) })),
    })),
    actions: plan.actions,
    calls: session.aws.counter.summary(),
    durationMs: Date.now() - started,
  };
}
