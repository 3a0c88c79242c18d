import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createRepo as createRepoIn, openRepo, type LocalRepo } from '../../src/demo/repo.js';

export type TestRepo = LocalRepo;

const SHOP = 'desired-state';
/** The shop estate's repository, made once per worker in the run's scratch folder (see global-setup.ts). */
let shop: Promise<string> | undefined;

/**
 * The demo's local remote and work clone, in a fresh temp folder. The shop estate is copied from a repository made
 * once: making one takes nine git processes, and each start from a test worker holding hundreds of MB costs 10-25 ms of CPU.
 */
export async function createRepo(seed = SHOP): Promise<TestRepo> {
  const root = await mkdtemp(path.join(tmpdir(), 'ballast-repo-'));
  if (seed !== SHOP) return createRepoIn(root, seed);
  shop ??= mkdtemp(path.join(inject('scratch'), 'shop-')).then(
    async (made) => (await createRepoIn(made, SHOP), made),
    (err: unknown) => {
      shop = undefined; // the next test tries again rather than failing with this error
      throw err;
    },
  );
  const template = await shop;
  await cp(template, root, { recursive: true });
  // The copied work clone's origin is the template's remote: point it at its own.
  const config = path.join(root, 'work', '.git', 'config');
  await writeFile(config, (await readFile(config, 'utf8')).replaceAll(template, root));
  return openRepo(root);
}

export const removeRepo = (repo: TestRepo) => rm(path.dirname(repo.url), { recursive: true, force: true });
