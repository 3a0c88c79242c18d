import { LineCounter, isCollection, isMap, isPair, isScalar, isSeq, parseAllDocuments, visit, type Document, type Node } from 'yaml';

export type Path = (string | number)[];

export interface Position {
  line: number;
  col: number;
}

/** Where each scalar value of a document first appears (a name a reference error points at). */
export type ScalarPositions = Map<unknown, Position>;

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

/** 1-based line and column of an offset in text (for the odd problem; many positions want a LineCounter). */
export function linePos(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line += 1;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

export function scalarPositions(doc: Document.Parsed, lines: LineCounter): ScalarPositions {
  const at: ScalarPositions = new Map();
  visit(doc, {
    Scalar(_, node) {
      if (node.range && !at.has(node.value)) at.set(node.value, lines.linePos(node.range[0]));
    },
  });
  return at;
}

/** Positions in the documents of one file, by their index in it. */
export interface FileLocator {
  position(index: number, path: Path, key?: boolean): Position;
  scalars(index: number): ScalarPositions;
}

/**
 * Positions are wanted only for problems, so the file is parsed again with its syntax tree when the first one is
 * asked for, and that tree is kept only as long as the documents that point into it.
 */
export function fileLocator(text: string): FileLocator {
  let tree: { docs: Document.Parsed[]; lines: LineCounter } | undefined;
  const at = (index: number) => {
    if (!tree) {
      const lines = new LineCounter();
      tree = { docs: parseAllDocuments(text, { lineCounter: lines }) as Document.Parsed[], lines };
    }
    return { doc: tree.docs[index], lines: tree.lines };
  };
  return {
    position(index, path, key = false) {
      const { doc, lines } = at(index);
      return lines.linePos(doc ? offsetOf(doc, path, key) : 0);
    },
    scalars(index) {
      const { doc, lines } = at(index);
      return doc ? scalarPositions(doc, lines) : new Map();
    },
  };
}
