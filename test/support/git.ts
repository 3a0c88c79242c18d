import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRepo as createRepoIn, type LocalRepo } from '../../src/demo/repo.js';

export type TestRepo = LocalRepo;

/** The demo's local remote and work clone, in a fresh temp folder. */
export async function createRepo(seed = 'desired-state'): Promise<TestRepo> {
  return createRepoIn(await mkdtemp(path.join(tmpdir(), 'ballast-repo-')), seed);
}

export const removeRepo = (repo: TestRepo) => rm(path.dirname(repo.url), { recursive: true, force: true });
