import { isScalar, visit } from 'yaml';
import type { ValidDocument } from '../validate/schema.js';
import type { Plan } from '../plan/types.js';

/** `file:line:col` of the first scalar equal to ref in the manifest `key` (e.g. a subnet name), if there is one. */
export function locateRef(documents: ValidDocument[], key: string, ref: string): string | undefined {
  const d = documents.find((x) => `${x.manifest.kind}/${x.manifest.metadata.name}` === key);
  if (!d) return undefined;
  let offset: number | undefined;
  visit(d.source.doc, {
    Scalar(_, node) {
      if (isScalar(node) && node.value === ref && node.range) {
        offset = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (offset === undefined) return undefined;
  const { line, col } = d.source.lines.linePos(offset);
  return `${d.source.file}:${line}:${col}`;
}

/** Points every resource error about a manifest value (a reference that matches nothing) at that value's position. */
export function pinErrors(plan: Plan, documents: ValidDocument[]): void {
  for (const r of plan.resources) {
    if (!r.error?.ref) continue;
    const at = locateRef(documents, r.key, r.error.ref);
    if (at) r.error = { ...r.error, at };
  }
}
