import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { startEmulator, type Emulator } from '../../src/demo/emulator.js';
import { TEST_WORKERS } from './workers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One emulator endpoint per test worker, indexed by VITEST_POOL_ID - 1. */
    motoEndpoints: string[];
  }
}

/**
 * Runs once per `npm test`: compiles dist/ for the tests that start the real launcher (so none runs a stale build),
 * and starts one emulator per worker. A worker runs one test file at a time, so its emulator is never shared by two
 * tests at once; useMoto() resets it before each test.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The emulators start while dist/ compiles: each takes seconds.
  const starting: Promise<Emulator[]> = Promise.all(Array.from({ length: TEST_WORKERS }, () => startEmulator()));
  try {
    await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json']);
  } catch (err) {
    await starting.then((emulators) => Promise.all(emulators.map((e) => e.stop())));
    throw new Error(`the build for the tests failed:\n${(err as { stdout?: string }).stdout ?? String(err)}`);
  }
  const emulators = await starting;
  project.provide('motoEndpoints', emulators.map((e) => e.endpoint));
  return async () => {
    await Promise.all(emulators.map((e) => e.stop()));
  };
}
