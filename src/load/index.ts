import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { isScalar, parseAllDocuments, visit, type Document } from 'yaml';
import type { Problem } from '../problem.js';
import { findManifestFiles } from './files.js';
import { fileLocator, linePos, type Path } from './positions.js';

export type { Path } from './positions.js';

export interface LoadOptions {
  /** Files larger than this are refused before parsing. */
  maxFileBytes?: number;
  /** Alias expansions allowed per document; caps "billion laughs" documents. */
  maxAliasCount?: number;
  /** Paths in messages are shown relative to this folder. */
  cwd?: string;
}

const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
const DEFAULT_MAX_ALIAS_COUNT = 100;
/** Files read at once: enough to keep the disk busy, few enough to stay well under the open-file limit. */
const READ_CONCURRENCY = 32;

/** One YAML document's value, and how to point back at its source. */
export interface SourceDocument {
  file: string;
  value: unknown;
  /** Line and column of the node at path (at its key with `key`): computed only when a problem needs it. */
  position(path: Path, key?: boolean): { line: number; col: number };
}

export interface LoadResult {
  documents: SourceDocument[];
  problems: Problem[];
}

/**
 * Reads and parses every manifest file under root, files read concurrently, results in file order. Syntax trees are
 * dropped once a document's value is taken; positions come from a second parse of a file, only when asked for.
 * Never throws for bad input: it returns problems.
 */
export async function loadManifests(root: string, options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  // Relative to cwd when the file is inside it, else absolute (a long ../../ chain helps nobody).
  const shown = (f: string) => {
    const rel = path.relative(cwd, f);
    return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? path.resolve(f) : rel;
  };
  let files: string[];
  try {
    files = await findManifestFiles(root);
  } catch (err) {
    return { documents: [], problems: [{ file: shown(root), line: 1, col: 1, message: `cannot read: ${(err as Error).message}` }] };
  }
  const limit = pLimit(READ_CONCURRENCY);
  const results = await Promise.all(files.map((abs) => limit(() => loadFile(abs, shown(abs), options))));
  return { documents: results.flatMap((r) => r.documents), problems: results.flatMap((r) => r.problems) };
}

async function loadFile(abs: string, file: string, options: LoadOptions): Promise<LoadResult> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  const documents: SourceDocument[] = [];
  const problems: Problem[] = [];
  const size = (await stat(abs)).size;
  if (size > maxFileBytes) {
    return { documents, problems: [{ file, line: 1, col: 1, message: `file is ${size} bytes, over the ${maxFileBytes}-byte limit` }] };
  }
  const text = await readFile(abs, 'utf8');
  const locate = fileLocator(text);
  const parsed = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: false });
  const docs = Array.isArray(parsed) ? parsed : [];
  docs.forEach((doc, index) => {
    if (doc.errors.length > 0) {
      for (const e of doc.errors) problems.push({ file, ...linePos(text, e.pos[0]), message: yamlMessage(doc, e.code, e.message, e.pos[0]) });
      return;
    }
    if (doc.contents === null) return; // an empty document, e.g. after a trailing ---
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount });
    } catch (err) {
      const bomb = /alias count/i.test((err as Error).message);
      const message = bomb
        ? `refused: aliases expand to too many nodes (limit ${maxAliasCount}), as in a "billion laughs" document`
        : `invalid YAML: ${(err as Error).message}`;
      problems.push({ file, ...linePos(text, doc.contents.range?.[0] ?? 0), message });
      return;
    }
    documents.push({ file, value, position: (at, key) => locate(index, at, key) });
  });
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
