import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** Every *.yaml / *.yml file under root (or root itself), sorted, hidden folders skipped. */
export async function findManifestFiles(root: string): Promise<string[]> {
  const info = await stat(root);
  if (info.isFile()) return [root];
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .filter((f) => !path.relative(root, f).split(path.sep).some((part) => part.startsWith('.')))
    .sort();
}
