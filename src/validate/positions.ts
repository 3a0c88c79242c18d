import { isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

export type Path = (string | number)[];

/** Splits an ajv instancePath ("/spec/containers/0/image") into keys. */
export function pointerToPath(pointer: string): Path {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/**
 * The source offset for a path in a document: the value node, or with `key` the key node of the last step
 * (so an unknown field points at the field's own name). Falls back to the deepest node that exists.
 */
export function offsetOf(doc: Document.Parsed, path: Path, key = false): number {
  let node: Node | null = doc.contents;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length; i++) {
    const step = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return offset;
      const keyNode = pair.key as Node;
      if (key && i === path.length - 1) return keyNode.range?.[0] ?? offset;
      node = (pair.value as Node | null) ?? keyNode;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step] as Node | undefined;
      if (!item) return offset;
      node = item;
    } else {
      return offset;
    }
    offset = node.range?.[0] ?? offset;
  }
  return offset;
}

export function describePath(path: Path): string {
  return path.reduce<string>((out, step) => (typeof step === 'number' ? `${out}[${step}]` : out ? `${out}.${step}` : step), '');
}
