import type { Path } from '../load/positions.js';

export type { Path };

/**
 * Splits an ajv instancePath ("/spec/containers/0/image") into keys. A digit-only step is an index only where
 * `root` holds a list there, so a mapping key such as "2024" stays a key.
 */
export function pointerToPath(pointer: string, root: unknown): Path {
  if (pointer === '') return [];
  const path: Path = [];
  let value = root;
  for (const raw of pointer.slice(1).split('/')) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const step = Array.isArray(value) && /^\d+$/.test(part) ? Number(part) : part;
    path.push(step);
    value = value !== null && typeof value === 'object' ? (value as Record<string | number, unknown>)[step] : undefined;
  }
  return path;
}

/** `spec.containers[0].image`; keys that are not plain words are quoted: `metadata.annotations["ballast.dev/mode"]`. */
export function describePath(path: Path): string {
  return path.reduce<string>((out, step) => {
    if (typeof step === 'number') return `${out}[${step}]`;
    if (!/^[A-Za-z0-9_-]+$/.test(step)) return `${out}[${JSON.stringify(step)}]`;
    return out ? `${out}.${step}` : step;
  }, '');
}
