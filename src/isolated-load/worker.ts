import { parentPort, workerData } from 'node:worker_threads';
import { loadRevision } from '../validate/index.js';
import type { LoadOptions } from '../load/index.js';
import { indexScalars } from '../report/locate.js';

// Runs one revision's load and validation in a worker with its own heap limit; only plain data goes back.
const { root, options } = workerData as { root: string; options: LoadOptions };
const revision = await loadRevision(root, { ...options, indexScalars: true });
parentPort!.postMessage({ manifests: revision.manifests, problems: revision.problems, scalars: indexScalars(revision.documents) });
