import { loadManifests, type LoadOptions, type SourceDocument } from '../load/index.js';
import { sortProblems, type Problem } from '../problem.js';
import type { Manifest } from '../schema/index.js';
import { subjectOf, validateDocument, type ValidDocument } from './schema.js';
import { checkSemantics } from './semantics.js';

export interface Revision {
  /** Every manifest, defaults filled, in file order. Empty when there are problems. */
  manifests: Manifest[];
  documents: ValidDocument[];
  /** All problems of all files, sorted by file and line. A revision with any problem is applied not at all. */
  problems: Problem[];
  files: number;
}

/**
 * Schema results by document. A document the loader took from its cache (a file unchanged since the last revision)
 * is the same object, so it is not checked again; a loaded document never changes, and its result goes with it.
 */
const checked = new WeakMap<SourceDocument, ReturnType<typeof validateDocument>>();

/** Load, schema-check and cross-check every manifest under root: all or nothing. */
export async function loadRevision(root: string, options: LoadOptions = {}): Promise<Revision> {
  const loaded = await loadManifests(root, options);
  const problems = [...loaded.problems];
  const documents: ValidDocument[] = [];
  for (const source of loaded.documents) {
    const result = checked.get(source) ?? validateDocument(source);
    checked.set(source, result);
    problems.push(...result.problems);
    if (result.document) documents.push(result.document);
  }
  const declared = new Set(loaded.documents.map((d) => subjectOf(d.value)).filter((s) => s !== undefined));
  problems.push(...checkSemantics(documents, loaded.problems.length === 0 ? declared : undefined));
  const files = new Set([...loaded.documents.map((d) => d.file), ...loaded.problems.map((p) => p.file)]).size;
  if (problems.length > 0) return { manifests: [], documents: [], problems: sortProblems(problems), files };
  return { manifests: documents.map((d) => d.manifest), documents, problems: [], files };
}
