import { CST, Lexer } from 'yaml';

// Apart from the limits themselves (./limits.ts), which the CLI's option defaults name: showing them loads no parser.
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
