import { CST, Lexer } from 'yaml';

/** Caps on one revision, checked before anything is parsed into memory (see README, "Revision limits"). */
export interface RevisionLimits {
  /** All manifest files together. */
  maxRevisionBytes: number;
  maxDocuments: number;
  /** Scalars and flow collections over all files: what a parser allocates objects for. */
  maxYamlNodes: number;
}

/** Room for an estate of 1,000 services (about 10,000 manifests, 6 MB), and no more than a few times that. */
export const DEFAULT_LIMITS: RevisionLimits = {
  maxRevisionBytes: 16 * 1024 * 1024,
  maxDocuments: 20_000,
  maxYamlNodes: 1_000_000,
};

const NODE_TOKENS = new Set(['scalar', 'single-quoted-scalar', 'double-quoted-scalar', 'block-scalar-header', 'flow-map-start', 'flow-seq-start']);

/**
 * Counts the YAML nodes of a text with the lexer alone (no syntax tree: a million-item flow sequence costs a scan,
 * not a gigabyte), stopping as soon as the count passes `budget`.
 */
export function countNodes(text: string, budget: number): number {
  let n = 0;
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    if (type && NODE_TOKENS.has(type) && ++n > budget) break;
  }
  return n;
}
