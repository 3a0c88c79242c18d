import { readFile, writeFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { findManifestFiles } from '../load/files.js';

/**
 * Edits one manifest in place, found by `Kind/name`: sets the value at path (undefined deletes it), keeping the
 * rest of the file (comments, other documents) as it was.
 */
export async function editManifest(dir: string, key: string, edit: (doc: { setIn(p: unknown[], v: unknown): void; deleteIn(p: unknown[]): void }) => void): Promise<void> {
  for (const file of (await findManifestFiles(dir)).files) {
    const docs = parseAllDocuments(await readFile(file, 'utf8'));
    const list = Array.isArray(docs) ? docs : [];
    const target = list.find((d) => {
      const v = d.toJS() as { kind?: string; metadata?: { name?: string } } | null;
      return `${v?.kind}/${v?.metadata?.name}` === key;
    });
    if (!target) continue;
    edit(target);
    await writeFile(file, list.map((d) => d.toString()).join(''));
    return;
  }
  throw new Error(`no manifest ${key} under ${dir}`);
}

export const setField = (fieldPath: unknown[], value: unknown) => (doc: { setIn(p: unknown[], v: unknown): void }) => doc.setIn(fieldPath, value);

/** Removes one document from the tree (as a user deleting a manifest from Git). */
export async function removeManifest(dir: string, key: string): Promise<void> {
  for (const file of (await findManifestFiles(dir)).files) {
    const docs = parseAllDocuments(await readFile(file, 'utf8'));
    const list = Array.isArray(docs) ? docs : [];
    const kept = list.filter((d) => {
      const v = d.toJS() as { kind?: string; metadata?: { name?: string } } | null;
      return `${v?.kind}/${v?.metadata?.name}` !== key;
    });
    if (kept.length === list.length) continue;
    await writeFile(file, kept.map((d) => d.toString()).join(''));
    return;
  }
  throw new Error(`no manifest ${key} under ${dir}`);
}
