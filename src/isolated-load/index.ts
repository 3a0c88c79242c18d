import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LoadOptions } from '../load/index.js';
import type { Problem } from '../problem.js';
import type { Manifest } from '../schema/index.js';
import type { ScalarIndex } from '../report/locate.js';

export interface IsolationLimits {
  /** Heap of the worker that loads a revision, in MB. */
  memoryMb: number;
  /** A load taking longer is stopped and the revision rejected. */
  timeoutMs: number;
}

export const DEFAULT_ISOLATION: IsolationLimits = { memoryMb: 512, timeoutMs: 60_000 };

export interface IsolatedRevision {
  manifests: Manifest[];
  problems: Problem[];
  /** Where each manifest's values are, to point errors found later at them. */
  scalars: ScalarIndex[];
}

/**
 * The compiled worker next to this file; when this file runs from its TypeScript source (the tests), the build the
 * tests' global setup made, so the worker never has to compile TypeScript itself.
 */
function workerScript(): URL {
  const compiled = new URL('./worker.js', import.meta.url);
  return existsSync(fileURLToPath(compiled)) ? compiled : new URL('../../dist/isolated-load/worker.js', import.meta.url);
}

/**
 * Loads and validates a revision in a worker thread with its own heap limit and a deadline, so a hostile or
 * oversized revision (a huge flow sequence, an alias bomb the caps missed) becomes a rejected revision with a
 * problem that says why, never a controller out of memory.
 */
export function loadRevisionIsolated(root: string, options: LoadOptions, limits: IsolationLimits = DEFAULT_ISOLATION): Promise<IsolatedRevision> {
  const url = workerScript();
  const refused = (message: string): IsolatedRevision => ({ manifests: [], scalars: [], problems: [{ file: path.relative(options.cwd ?? process.cwd(), root) || '.', line: 1, col: 1, message }] });
  return new Promise((resolve) => {
    const worker = new Worker(url, {
      workerData: { root, options },
      resourceLimits: { maxOldGenerationSizeMb: limits.memoryMb, maxYoungGenerationSizeMb: Math.max(4, Math.round(limits.memoryMb / 8)) },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const settle = (result: IsolatedRevision) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => settle(refused(`revision refused: loading and validating it took over ${limits.timeoutMs / 1000}s`)), limits.timeoutMs);
    worker.once('message', (result: IsolatedRevision) => settle(result));
    worker.once('error', (err: Error & { code?: string }) =>
      settle(
        refused(
          err.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `revision refused: loading and validating it needed more than ${limits.memoryMb} MB`
            : `revision refused: loading it failed: ${err.message}`,
        ),
      ),
    );
    worker.once('exit', (code) => settle(refused(`revision refused: the loader stopped (exit code ${code})`)));
  });
}
