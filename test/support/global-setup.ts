import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmulator, type Emulator } from '../../src/demo/emulator.js';
import { TEST_WORKERS } from './workers.js';
import { buildDist } from '../../scripts/build.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One emulator endpoint per test worker, indexed by VITEST_POOL_ID - 1. */
    motoEndpoints: string[];
    /** A folder for the whole run (what a worker makes once, like test/support/git.ts's template), removed at its end. */
    scratch: string;
  }
}

/**
 * Runs once per `npm test`: builds dist/ as `npm run build` does, for the tests that start the real launcher (so none
 * runs a stale build), and starts one emulator per worker. A worker runs one test file at a time, so its emulator is
 * never shared by two tests at once; useMoto() resets it before each test.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The emulators start while dist/ compiles: each takes seconds.
  const starting: Promise<Emulator[]> = Promise.all(Array.from({ length: TEST_WORKERS }, () => startEmulator()));
  try {
    await buildDist();
  } catch (err) {
    await starting.then((emulators) => Promise.all(emulators.map((e) => e.stop())));
    throw new Error(`the build for the tests failed:\n${String(err)}`);
  }
  const emulators = await starting;
  project.provide('motoEndpoints', emulators.map((e) => e.endpoint));
  const root = await mkdtemp(path.join(tmpdir(), 'ballast-suite-'));
  const scratch = path.join(root, 'scratch');
  // The system's temporary folder for the workers and every process they start: what a test leaves there fails the run.
  const temp = path.join(root, 'tmp');
  await Promise.all([mkdir(scratch), mkdir(temp)]);
  project.provide('scratch', scratch);
  process.env.TMPDIR = temp;
  return async () => {
    const left = await readdir(temp);
    try {
      await Promise.all(emulators.map((e) => e.stop()));
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    if (left.length > 0) {
      // vitest reports an error thrown here but still exits 0.
      console.error(`the tests left temporary files behind (remove them after each test: test/support/temp.ts): ${left.join(', ')}`);
      process.exitCode = 1;
    }
  };
}
