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
  const entries = (await readdir(root, { withFileTypes: true, recursive: true })).filter((e) => !hidden(root, path.join(e.parentPath, e.name)));
  for (const e of entries) if (e.isSymbolicLink()) await link(path.join(e.parentPath, e.name));
  const files = entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
  return { files, links: links.sort((a, b) => a.path.localeCompare(b.path)) };
}
