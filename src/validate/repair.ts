import type { ErrorObject } from 'ajv';
import { pointerToPath, type Path } from './positions.js';

/**
 * The paths a document's schema errors are about: the bad value itself, an unknown field, or a missing one. The
 * rules of the document are still checked once these are taken out, so one pass reports everything.
 */
export function brokenPaths(errors: ErrorObject[], value: unknown): Path[] {
  return errors.map((e) => {
    const path = pointerToPath(e.instancePath, value);
    if (e.keyword === 'additionalProperties') return [...path, String(e.params.additionalProperty)];
    if (e.keyword === 'required') return [...path, String(e.params.missingProperty)];
    return path;
  });
}

/**
 * Removes the values at the paths from root, in place. A list item becomes a hole rather than being spliced out,
 * so the indexes of the items after it (and the positions rules report against them) stay as in the source.
 */
export function removePaths(root: Record<string, unknown>, paths: Path[]): void {
  for (const path of paths) {
    if (path.length === 0) continue;
    let parent: unknown = root;
    for (const step of path.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? (parent as Record<string | number, unknown>)[step] : undefined;
    if (parent !== null && typeof parent === 'object') delete (parent as Record<string | number, unknown>)[path[path.length - 1]!];
  }
}

/** Whether one path lies on the other (equal, above or below it): a rule about it may stem from the broken value. */
export function touches(paths: readonly Path[], path: Path): boolean {
  return paths.some((b) => {
    const n = Math.min(b.length, path.length);
    for (let i = 0; i < n; i++) if (String(b[i]) !== String(path[i])) return false;
    return true;
  });
}
