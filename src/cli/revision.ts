import { dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import { simpleGit } from 'simple-git';

/** The commit the manifests at `path` were read from, when they sit in a Git work tree; null otherwise. */
export async function revisionOf(path: string): Promise<string | null> {
  try {
    const dir = (await stat(path)).isDirectory() ? path : dirname(path);
    return (await simpleGit(dir).revparse(['HEAD'])).trim() || null;
  } catch {
    return null;
  }
}
