import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';

export interface ManifestFiles {
  /** Every *.yaml / *.yml regular file under root (or root itself), sorted, hidden folders skipped. */
  files: string[];
  /** Symbolic links met on the way, with their targets: never followed, each one a problem of the revision. */
  links: { path: string; target: string }[];
}

const hidden = (root: string, f: string) => path.relative(root, f).split(path.sep).some((part) => part.startsWith('.'));

/**
 * Lists the manifest files without following a single symbolic link: a link could reach outside the repository
 * (values of files elsewhere reaching Slack, a walk of the whole filesystem), and one silently skipped would make prune
 * delete what it describes. `within` (the clone) is checked too: no folder from it down to root may be a link.
 */
export async function findManifestFiles(root: string, within?: string): Promise<ManifestFiles> {
  const links: ManifestFiles['links'] = [];
  const link = async (p: string) => links.push({ path: p, target: await readlink(p).catch(() => '?') });
  if (within) {
    const parts = path.relative(within, root).split(path.sep).filter((p) => p !== '');
    for (let i = 1; i <= parts.length; i++) {
      const p = path.join(within, ...parts.slice(0, i));
      if ((await lstat(p)).isSymbolicLink()) {
        await link(p);
        return { files: [], links };
      }
    }
  }
  const info = await lstat(root);
  if (info.isSymbolicLink()) {
    await link(root);
    return { files: [], links };
  }
  if (info.isFile()) return { files: [root], links };
  const inFolder = perFolder((dir) => hidden(root, dir));
  const join = joiner();
  const entries = (await readdir(root, { withFileTypes: true, recursive: true })).filter((e) => !e.name.startsWith('.') && !inFolder(e.parentPath));
  for (const e of entries) if (e.isSymbolicLink()) await link(join(e.parentPath, e.name));
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  return { files, links: links.sort((a, b) => a.path.localeCompare(b.path)) };
}

/** f(folder), worked out once per folder: 10,000 files sit in a few folders, and path functions cost more than a read. */
export function perFolder<T>(f: (dir: string) => T): (dir: string) => T {
  const known = new Map<string, T>();
  return (dir) => {
    if (!known.has(dir)) known.set(dir, f(dir));
    return known.get(dir)!;
  };
}

/** path.join(dir, name) for a file's own name: the folder's part joined (with a stand-in name) once per folder. */
export function joiner(): (dir: string, name: string) => string {
  const prefix = perFolder((dir) => path.join(dir, '_').slice(0, -1));
  return (dir, name) => prefix(dir) + name;
}
