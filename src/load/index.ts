import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, isScalar, parseAllDocuments, visit, type Document } from 'yaml';
import type { Problem } from '../problem.js';
import { findManifestFiles } from './files.js';
import { countNodes, DEFAULT_LIMITS, type RevisionLimits } from './limits.js';

export interface LoadOptions {
  /** Files larger than this are refused before parsing. */
  maxFileBytes?: number;
  /** Alias expansions allowed per document; caps "billion laughs" documents. */
  maxAliasCount?: number;
  /** Paths in messages are shown relative to this folder. */
  cwd?: string;
  /** The clone root is taken as within: no folder from it down to root may be a symbolic link. */
  within?: string;
  limits?: Partial<RevisionLimits>;
}

const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
const DEFAULT_MAX_ALIAS_COUNT = 100;

/** One YAML document, with what is needed to point back at its source. */
export interface SourceDocument {
  file: string;
  doc: Document.Parsed;
  lines: LineCounter;
  value: unknown;
}

export interface LoadResult {
  documents: SourceDocument[];
  problems: Problem[];
}

/** Reads and parses every manifest file under root. Never throws for bad input: it returns problems. */
export async function loadManifests(root: string, options: LoadOptions = {}): Promise<LoadResult> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  const cwd = options.cwd ?? process.cwd();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  // Relative to cwd when the file is inside it, else absolute (a long ../../ chain helps nobody).
  const shown = (f: string) => {
    const rel = path.relative(cwd, f);
    return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? path.resolve(f) : rel;
  };
  const documents: SourceDocument[] = [];
  const problems: Problem[] = [];

  let files: string[];
  try {
    const found = await findManifestFiles(root, options.within);
    files = found.files;
    for (const link of found.links) {
      problems.push({ file: shown(link.path), line: 1, col: 1, message: `symbolic link (to ${link.target}): manifests must be files of the repository itself` });
    }
  } catch (err) {
    problems.push({ file: shown(root), line: 1, col: 1, message: `cannot read: ${(err as Error).message}` });
    return { documents, problems };
  }

  // The whole revision is sized before any file is read: one rejection, not a parse of every oversized file.
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total > limits.maxRevisionBytes) {
    problems.push({ file: shown(root), line: 1, col: 1, message: `revision refused: its manifests are ${total} bytes, over the ${limits.maxRevisionBytes}-byte limit` });
    return { documents, problems };
  }
  // Every file is read and its nodes counted before any is parsed: a revision over the cap costs a scan, no parse.
  const texts: { file: string; text: string }[] = [];
  let nodes = 0;
  for (const [i, abs] of files.entries()) {
    const file = shown(abs);
    const size = sizes[i]!;
    if (size > maxFileBytes) {
      problems.push({ file, line: 1, col: 1, message: `file is ${size} bytes, over the ${maxFileBytes}-byte limit` });
      continue;
    }
    const text = await readFile(abs, 'utf8');
    nodes += countNodes(text, limits.maxYamlNodes - nodes);
    if (nodes > limits.maxYamlNodes) {
      return { documents: [], problems: [{ file, line: 1, col: 1, message: `revision refused: more than ${limits.maxYamlNodes} YAML nodes (scalars and flow collections) by this file` }] };
    }
    texts.push({ file, text });
  }
  let count = 0;
  for (const { file, text } of texts) {
    const lines = new LineCounter();
    const parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
    const docs = Array.isArray(parsed) ? parsed : [];
    count += docs.length;
    if (count > limits.maxDocuments) {
      problems.push({ file, line: 1, col: 1, message: `revision refused: more than ${limits.maxDocuments} YAML documents by this file` });
      return { documents, problems };
    }
    for (const doc of docs) {
      const errors = [...doc.errors];
      if (errors.length > 0) {
        for (const e of errors) {
          const { line, col } = lines.linePos(e.pos[0]);
          problems.push({ file, line, col, message: yamlMessage(doc, e.code, e.message, e.pos[0]) });
        }
        continue;
      }
      if (doc.contents === null) continue; // an empty document, e.g. after a trailing ---
      let value: unknown;
      try {
        value = doc.toJS({ maxAliasCount });
      } catch (err) {
        const { line, col } = lines.linePos(doc.contents.range?.[0] ?? 0);
        const bomb = /alias count/i.test((err as Error).message);
        const message = bomb
          ? `refused: aliases expand to too many nodes (limit ${maxAliasCount}), as in a "billion laughs" document`
          : `invalid YAML: ${(err as Error).message}`;
        problems.push({ file, line, col, message });
        continue;
      }
      documents.push({ file, doc, lines, value });
    }
  }
  return { documents, problems };
}

function yamlMessage(doc: Document.Parsed, code: string, message: string, offset: number): string {
  if (code === 'DUPLICATE_KEY') return `duplicate key "${keyAt(doc, offset)}": a key may appear only once in a mapping`;
  // The yaml package appends a code excerpt after the first line; the position already says where.
  return `invalid YAML: ${(message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** The text of the mapping key that starts at offset. */
function keyAt(doc: Document.Parsed, offset: number): string {
  let key = '';
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        key = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return key;
}
