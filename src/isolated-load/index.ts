import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { LoadOptions } from '../load/index.js';
import type { Problem } from '../problem.js';
import type { Manifest } from '../schema/index.js';
import type { ScalarIndex } from '../report/locate.js';
import { PACKAGE_ROOT } from '../package-root.js';

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
  /** Of a valid revision, the files read and checked afresh: those changed since the worker's last valid revision. */
  rechecked: string[];
}

type FileManifests = Pick<IsolatedRevision, 'manifests' | 'scalars'>;

/** What the worker sends back: the manifests of the files changed since its last valid revision, the others by name. */
export interface WorkerReply {
  problems: Problem[];
  /** The files of a valid revision, in order (none for a rejected one). */
  files: string[];
  changed: [string, FileManifests][];
}

/**
 * The worker of the build (its own entry point of the bundle); when this file runs from its TypeScript source (the
 * tests), the build the tests' global setup made, so the worker never has to compile TypeScript itself.
 */
const WORKER_SCRIPT = path.join(PACKAGE_ROOT, 'dist/isolated-load/worker.js');

/**
 * Loads and validates revisions in a worker thread with its own heap limit and a deadline, so a hostile or oversized
 * revision (a huge flow sequence, an alias bomb the caps missed) becomes a rejected revision with a problem that says
 * why, never a controller out of memory. The worker stays for the next revision (starting one costs more CPU than
 * loading a revision of hundreds of manifests), with what it made of each file: a one-file commit is parsed and
 * checked for that file, and only its manifests come back. One that ran out of memory or time is replaced, what it
 * made of the files with it.
 */
export class RevisionLoader {
  private worker?: Worker;
  private queue: Promise<unknown> = Promise.resolve();
  /** The manifests of each file of the last valid revision, as the worker sent them. */
  private files = new Map<string, FileManifests>();

  constructor(private readonly limits: IsolationLimits = DEFAULT_ISOLATION) {}

  /** Starts the worker now, so that its modules are loaded by the time the first revision arrives. */
  warm(): void {
    this.worker ??= this.spawn();
  }

  /** One revision at a time: a second load waits for the first. */
  load(root: string, options: LoadOptions): Promise<IsolatedRevision> {
    const next = this.queue.then(() => this.loadNow(root, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(WORKER_SCRIPT, {
      resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb, maxYoungGenerationSizeMb: Math.max(4, Math.round(this.limits.memoryMb / 8)) },
      stdout: false,
      stderr: false,
    });
    // An idle worker keeps no process alive.
    worker.unref();
    // A worker that fails or stops while idle is replaced at the next load.
    worker.on('error', () => undefined);
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
    });
    return worker;
  }

  private loadNow(root: string, options: LoadOptions): Promise<IsolatedRevision> {
    const refused = (message: string): IsolatedRevision => ({ manifests: [], scalars: [], rechecked: [], problems: [{ file: path.relative(options.cwd ?? process.cwd(), root) || '.', line: 1, col: 1, message }] });
    const worker = (this.worker ??= this.spawn());
    return new Promise((resolve) => {
      const settle = (result: IsolatedRevision, failed: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        if (failed && this.worker === worker) {
          this.worker = undefined;
          void worker.terminate();
        }
        resolve(result);
      };
      const onMessage = (reply: WorkerReply) => settle(this.assemble(reply), false);
      const onError = (err: Error & { code?: string }) =>
        settle(
          refused(
            err.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `revision refused: loading and validating it needed more than ${this.limits.memoryMb} MB`
              : `revision refused: loading it failed: ${err.message}`,
          ),
          true,
        );
      const onExit = (code: number) => settle(refused(`revision refused: the loader stopped (exit code ${code})`), true);
      const timer = setTimeout(() => settle(refused(`revision refused: loading and validating it took over ${this.limits.timeoutMs / 1000}s`), true), this.limits.timeoutMs);
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      worker.postMessage({ root, options });
    });
  }

  private assemble({ problems, files, changed }: WorkerReply): IsolatedRevision {
    if (problems.length > 0) return { manifests: [], scalars: [], rechecked: [], problems };
    const fresh = new Map(changed);
    this.files = new Map(files.map((file) => [file, fresh.get(file) ?? this.files.get(file)!]));
    const parts = [...this.files.values()];
    return { manifests: parts.flatMap((p) => p.manifests), scalars: parts.flatMap((p) => p.scalars), problems, rechecked: changed.map(([file]) => file) };
  }
}

const perProcess = new Map<string, RevisionLoader>();

/**
 * The process's loader for these limits. The controllers of one process (the tests start many) share its worker:
 * starting one costs more than a load, and what it made of a file holds for any clone with that content at that path
 * (file names are relative to the clone). Never closed: its idle worker keeps no process alive.
 */
export function processLoader(limits: IsolationLimits): RevisionLoader {
  const key = `${limits.memoryMb}/${limits.timeoutMs}`;
  let loader = perProcess.get(key);
  if (!loader) perProcess.set(key, (loader = new RevisionLoader(limits)));
  return loader;
}
