import { parentPort } from 'node:worker_threads';
import { loadRevision } from '../validate/index.js';
import type { LoadOptions } from '../load/index.js';
import { indexScalars } from '../report/locate.js';

// Loads and validates the revisions it is sent, one at a time, in a worker with its own heap limit; only plain data goes back.
parentPort!.on('message', ({ root, options }: { root: string; options: LoadOptions }) => {
  void loadRevision(root, { ...options, indexScalars: true }).then((revision) =>
    parentPort!.postMessage({ manifests: revision.manifests, problems: revision.problems, scalars: indexScalars(revision.documents) }),
  );
});
