import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made: string[] = [];

/**
 * Removes the folders made since the last call. A setup file (test/support/temp-cleanup.ts) runs it after every test:
 * a hook registered here would be registered once per worker, since workers keep this module between files.
 */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** A fresh temporary folder, removed after the test that made it, passed or failed. */
export async function tempDir(name: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), `ballast-${name}-`));
  made.push(dir);
  return dir;
}
