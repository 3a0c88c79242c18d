import type { ScalarPositions } from '../load/index.js';
import type { ValidDocument } from '../validate/schema.js';
import type { Plan } from '../plan/types.js';

/**
 * Where each scalar of a manifest first appears. Plain data, so a revision loaded in a worker thread can send it
 * back without its syntax trees.
 */
export interface ScalarIndex {
  key: string;
  file: string;
  at: ScalarPositions;
}

const keyOf = (d: ValidDocument) => `${d.manifest.kind}/${d.manifest.metadata.name}`;

export function indexScalars(documents: ValidDocument[]): ScalarIndex[] {
  return documents.map((d) => ({ key: keyOf(d), file: d.source.file, at: d.source.scalars() }));
}

/** `file:line:col` of the first scalar equal to ref in the manifest `key` (e.g. a subnet name), if there is one. */
export function locateRef(index: ScalarIndex[], key: string, ref: string): string | undefined {
  const d = index.find((x) => x.key === key);
  const pos = d?.at.get(ref);
  return d && pos ? `${d.file}:${pos.line}:${pos.col}` : undefined;
}

/** Points every resource error about a manifest value (a reference that matches nothing) at that value's position. */
export function pinErrors(plan: Plan, index: ScalarIndex[]): void {
  for (const r of plan.resources) {
    if (!r.error?.ref) continue;
    const at = locateRef(index, r.key, r.error.ref);
    if (at) r.error = { ...r.error, at };
  }
}

/** pinErrors for a revision at hand: only the manifests of resources with such an error have their positions found. */
export function pinErrorsInSource(plan: Plan, documents: ValidDocument[]): void {
  const wanted = new Set(plan.resources.filter((r) => r.error?.ref).map((r) => r.key as string));
  if (wanted.size > 0) pinErrors(plan, indexScalars(documents.filter((d) => wanted.has(keyOf(d)))));
}
