import type { ApplyResult } from '../apply/index.js';
import type { Plan } from '../plan/types.js';
import { MANIFEST_TAG } from '../engine/tags.js';
import type { Observed } from '../observe/index.js';
import type { ResourceKey } from '../engine/types.js';

/** The ARNs in a live resource: its own, and those of the members it lists (a DB's read replicas). */
function arnsOf(live: unknown): string[] {
  const record = (v: unknown) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});
  const own = record(live).arn;
  const members = Object.values(record(live)).flatMap((v) => (Array.isArray(v) ? v.map((item) => record(item).arn) : []));
  return [own, ...members].filter((a): a is string => typeof a === 'string' && a.startsWith('arn:'));
}

/**
 * Updates the ARNs proven this controller's (src/plan/prune-guard.ts): the very resources its reconcilers observed for
 * a manifest in place (applied or in sync) and found carrying its tags. Matching by the manifest tag alone would not
 * do: another team's DbInstance/db may carry the same tag on another identifier. An ARN leaves the record once it is
 * pruned or no longer carries the id, so a resource someone else creates later under the same name proves nothing.
 */
export function updateProof(proven: Set<string>, plan: Plan, result: ApplyResult, converged: [string, string][], observed: Observed | undefined): void {
  const owned = observed?.owned;
  if (!observed || !owned || owned.size === 0) return; // not read (or nothing owned): keep the record as it is
  const done = new Set(result.actions.filter((a) => a.state === 'done').map((a) => a.id));
  const pruned = new Set(plan.resources.filter((r) => r.status === 'prune' && r.actions.some((id) => done.has(id))).map((r) => r.key as string));
  for (const arn of proven) if (!owned.has(arn) || pruned.has(owned.get(arn)?.[MANIFEST_TAG] ?? '')) proven.delete(arn);
  for (const [key] of converged) {
    const o = observed.observations.get(key as ResourceKey);
    if (o?.state !== 'found') continue;
    for (const arn of arnsOf(o.live)) if (owned.get(arn)?.[MANIFEST_TAG] === key) proven.add(arn);
  }
}
