import path from 'node:path';
import { LineCounter, isScalar, parseAllDocuments, visit, type Document } from 'yaml';
import type { Problem } from '../problem.js';
import { FileCache } from '../file-cache/index.js';
import { findManifestFiles, perFolder } from './files.js';
import { readFiles } from './read.js';
import { readFast, type FastRead } from './fast.js';
import { DEFAULT_LIMITS, type RevisionLimits } from './limits.js';
import { countNodes } from './count.js';
import { fileLocator, linePos, scalarPositions, type Path, type Position, type ScalarPositions } from './positions.js';

export type { Path, Position, ScalarPositions } from './positions.js';

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
  /**
   * Find every document's scalar positions in the first parse, while its syntax tree is at hand (the controller's
   * worker sends them all back); otherwise a document's are found when asked for, by parsing its file again.
   */
  indexScalars?: boolean;
  /** Files read before, by content: an unchanged file is taken from it, not read again (the controller's worker). */
  cache?: LoadCache;
}

const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
const DEFAULT_MAX_ALIAS_COUNT = 100;

/** One YAML document's value, and how to point back at its source. */
export interface SourceDocument {
  file: string;
  value: unknown;
  /** Line and column of the node at path (at its key with `key`): computed only when a problem needs it. */
  position(path: Path, key?: boolean): Position;
  /** Where each scalar value first appears, to point an error found later (a reference to nothing) at it. */
  scalars(): ScalarPositions;
}

export interface LoadResult {
  documents: SourceDocument[];
  problems: Problem[];
}

/**
 * Reads and parses every manifest file under root: all of them sized against the revision limits before any is parsed,
 * results in file order. A file takes the fast path (./fast.ts) unless `yaml` must read it; syntax trees are dropped
 * once a document's value is taken; positions come from a second parse of a file, only when asked for. Never throws
 * for bad input: it returns problems.
 */
export async function loadManifests(root: string, options: LoadOptions = {}): Promise<LoadResult> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const cwd = options.cwd ?? process.cwd();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  // Relative to cwd when the file is inside it, else absolute (a long ../../ chain helps nobody).
  const shownPath = (f: string) => {
    const rel = path.relative(cwd, f);
    return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel) ? path.resolve(f) : rel;
  };
  // A file's folder part is worked out once per folder (a stand-in name in place of the file's own).
  const folder = perFolder((dir) => shownPath(path.join(dir, '_')).slice(0, -1));
  const shown = (f: string) => {
    const cut = f.lastIndexOf(path.sep);
    return cut <= 0 ? shownPath(f) : folder(f.slice(0, cut)) + f.slice(cut + 1);
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

  // Reads are synchronous: ten times less CPU than the promise API for thousands of small files, and a load runs in
  // a worker thread in the controller or is all a CLI command waits for.
  const read = readFiles(files, maxFileBytes, limits.maxRevisionBytes);
  if ('refusedTotal' in read) {
    problems.push({ file: shown(root), line: 1, col: 1, message: `revision refused: its manifests are ${read.refusedTotal} bytes, over the ${limits.maxRevisionBytes}-byte limit` });
    return { documents, problems };
  }
  for (const { path: abs, size } of read.oversized) problems.push({ file: shown(abs), line: 1, col: 1, message: `file is ${size} bytes, over the ${maxFileBytes}-byte limit` });
  const texts = read.texts.map(({ path: abs, text }) => ({ file: shown(abs), text }));
  // Every file's nodes are counted before `yaml` parses any: a revision over the cap costs a scan, no syntax tree (a
  // million-item flow sequence would take a gigabyte). The fast path counts the values it read: its lines are short
  // and a file is at most maxFileBytes, so what it holds is bounded. A file the cache has is taken from it as it is.
  const { cache } = options;
  const steps: { hash: string; nodes: number; cached?: FileRead; fast?: FastRead }[] = [];
  let nodes = 0;
  for (const { file, text } of texts) {
    const hash = cache ? FileCache.hash(text) : '';
    const cached = cache?.get(file, hash);
    // The controller's worker wants every scalar's position, which only `yaml`'s syntax tree has.
    const fast = cached || options.indexScalars ? undefined : readFast(text);
    const counted = cached?.nodes ?? fast?.nodes ?? countNodes(text, limits.maxYamlNodes - nodes);
    nodes += counted;
    if (nodes > limits.maxYamlNodes) {
      return { documents: [], problems: [{ file, line: 1, col: 1, message: `revision refused: more than ${limits.maxYamlNodes} YAML nodes (scalars and flow collections) by this file` }] };
    }
    steps.push({ hash, nodes: counted, cached, fast });
  }
  let count = 0;
  const maxAliasCount = options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT;
  for (const [i, { file, text }] of texts.entries()) {
    const step = steps[i]!;
    const read = step.cached ?? (step.fast ? fastDocuments(file, text, step.fast) : yamlDocuments(file, text, step.nodes, options.indexScalars === true, maxAliasCount));
    count += read.count;
    if (count > limits.maxDocuments) {
      problems.push({ file, line: 1, col: 1, message: `revision refused: more than ${limits.maxDocuments} YAML documents by this file` });
      return { documents, problems };
    }
    cache?.set(file, step.hash, read);
    documents.push(...read.documents);
    problems.push(...read.problems);
  }
  cache?.retain(texts.map((t) => t.file));
  return { documents, problems };
}

/** What is made of one file: its documents and problems, and what it counts against the revision limits. */
export type FileRead = LoadResult & { count: number; nodes: number };
export type LoadCache = FileCache<FileRead>;

/** A file the fast path read: its positions, wanted only for problems, come from `yaml` when asked for. */
function fastDocuments(file: string, text: string, { values, nodes }: FastRead): FileRead {
  const locate = fileLocator(text);
  const documents = values.map((value, index): SourceDocument => ({ file, value, position: (at, key) => locate.position(index, at, key), scalars: () => locate.scalars(index) }));
  return { documents, problems: [], count: values.length, nodes };
}

function yamlDocuments(file: string, text: string, nodes: number, indexScalars: boolean, maxAliasCount: number): FileRead {
  const lines = indexScalars ? new LineCounter() : undefined;
  const parsed = parseAllDocuments(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const docs = Array.isArray(parsed) ? parsed : [];
  return { ...readDocuments(file, text, docs, lines, maxAliasCount), count: docs.length, nodes };
}

/** The values of one file's documents; with `lines`, their scalar positions too, taken before the trees go. */
function readDocuments(file: string, text: string, docs: Document.Parsed[], lines: LineCounter | undefined, maxAliasCount: number): LoadResult {
  const documents: SourceDocument[] = [];
  const problems: Problem[] = [];
  const locate = fileLocator(text);
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
    const scalars = lines ? scalarPositions(doc, lines) : undefined;
    documents.push({ file, value, position: (at, key) => locate.position(index, at, key), scalars: () => scalars ?? locate.scalars(index) });
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
