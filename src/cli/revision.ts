import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The commit the manifests at `path` were read from, when they sit in a Git work tree; null otherwise. git starts
 * before this returns, so a command that asks first has the answer ready after its own work, and forks a small
 * process (plain child_process: one `git rev-parse` does not need simple-git's load, a tenth of a `validate`).
 */
export function revisionOf(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    let dir: string;
    try {
      dir = statSync(path).isDirectory() ? path : dirname(path);
    } catch {
      return resolve(null);
    }
    execFile('git', ['rev-parse', 'HEAD'], { cwd: dir, timeout: 10_000 }, (err, stdout) => resolve(err ? null : stdout.trim() || null));
  });
}
