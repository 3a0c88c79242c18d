import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** Values that never change once made (task definition revisions), kept between processes. */
export interface ImmutableStore {
  read(key: string): Promise<unknown>;
  write(key: string, value: unknown): Promise<void>;
}

/**
 * The CLI's cache folder: `BALLAST_CACHE_DIR`, else `$XDG_CACHE_HOME/ballast`, else `~/.cache/ballast`; `off` turns
 * it off. Entries are keyed by the AWS endpoint override as well (a revision ARN names account and region already),
 * so two emulators or accounts never share an entry.
 */
export function cacheFromEnv(env: NodeJS.ProcessEnv = process.env): ImmutableStore | undefined {
  const setting = env.BALLAST_CACHE_DIR;
  if (setting === 'off') return undefined;
  const dir = setting || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'ballast');
  return folderStore(dir, env.AWS_ENDPOINT_URL_ECS ?? env.AWS_ENDPOINT_URL ?? 'aws');
}

/**
 * One JSON file per key, named by its hash. A cache never fails a command: an entry that cannot be read is a miss,
 * one that cannot be written is skipped. Writes go through a rename, so a reader never sees half a file.
 */
export function folderStore(dir: string, scope: string): ImmutableStore {
  const fileOf = (key: string) => path.join(dir, `${createHash('sha256').update(`${scope}\n${key}`).digest('hex')}.json`);
  let made: Promise<unknown> | undefined;
  return {
    async read(key) {
      try {
        return JSON.parse(await readFile(fileOf(key), 'utf8')) as unknown;
      } catch {
        return undefined;
      }
    },
    async write(key, value) {
      try {
        made ??= mkdir(dir, { recursive: true });
        await made;
        const file = fileOf(key);
        const partial = `${file}.${process.pid}.tmp`;
        await writeFile(partial, JSON.stringify(value));
        await rename(partial, file);
      } catch {
        // Read-only or full disk: the next run reads from AWS again.
      }
    },
  };
}
