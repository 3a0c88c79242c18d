import { isCollection, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

export type Path = (string | number)[];

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

/**
 * The source offset for a path in a document. A scalar is found at its value, or with `key` at its key (so an
 * unknown field points at the field's own name); a mapping or list at the key that holds it, since a block
 * collection's own node starts on the line below. A path that does not exist in the source (a field filled by a
 * default, a missing field) points at the key of the deepest part that exists.
 */
export function offsetOf(doc: Document.Parsed, path: Path, key = false): number {
  let node: Node | null = doc.contents;
  let anchor = node?.range?.[0] ?? 0;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return anchor;
      const keyNode = pair.key as Node;
      anchor = keyNode.range?.[0] ?? anchor;
      node = (pair.value as Node | null) ?? keyNode;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (!item) return anchor;
      anchor = item.range?.[0] ?? anchor;
      node = item;
    } else {
      return anchor;
    }
  }
  // An empty value (`cpu:`) has no text of its own: point at its key.
  const empty = isScalar(node) && node.range?.[0] === node.range?.[1];
  if (key || isCollection(node) || empty) return anchor;
  return node?.range?.[0] ?? anchor;
}

/** `spec.containers[0].image`; keys that are not plain words are quoted: `metadata.annotations["ballast.dev/mode"]`. */
export function describePath(path: Path): string {
  return path.reduce<string>((out, step) => {
    if (typeof step === 'number') return `${out}[${step}]`;
    if (!/^[A-Za-z0-9_-]+$/.test(step)) return `${out}[${JSON.stringify(step)}]`;
    return out ? `${out}.${step}` : step;
  }, '');
}
