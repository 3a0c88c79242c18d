import { isScalar, visit } from 'yaml';
import type { ValidDocument } from '../validate/schema.js';
import type { Plan } from '../plan/types.js';

/**
 * Where each scalar of a manifest first appears. Plain data, so a revision loaded in a worker thread can send it
 * back without its syntax trees.
 */
export interface ScalarIndex {
  key: string;
  file: string;
  at: Map<unknown, { line: number; col: number }>;
}

export function indexScalars(documents: ValidDocument[]): ScalarIndex[] {
  return documents.map((d) => {
    const at = new Map<unknown, { line: number; col: number }>();
    visit(d.source.doc, {
      Scalar(_, node) {
        if (isScalar(node) && node.range && !at.has(node.value)) at.set(node.value, d.source.lines.linePos(node.range[0]));
      },
    });
    return { key: `${d.manifest.kind}/${d.manifest.metadata.name}`, file: d.source.file, at };
  });
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
