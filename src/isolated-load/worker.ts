import { parentPort } from 'node:worker_threads';
import { FileCache } from '../file-cache/index.js';
import { loadRevision } from '../validate/index.js';
import type { FileRead, LoadOptions, SourceDocument } from '../load/index.js';
import { indexScalars } from '../report/locate.js';
import type { WorkerReply } from './index.js';

// Loads and validates the revisions it is sent, one at a time, in a worker with its own heap limit; only plain data
// goes back. What was made of the last revision's files stays here, so the next revision costs the work of the files
// it changed, and only those files' manifests are sent back (the loader keeps the others from the last reply).
const cache = new FileCache<FileRead>();
/** The documents last sent of each file of the last valid revision. */
let sent = new Map<string, SourceDocument[]>();

parentPort!.on('message', ({ root, options }: { root: string; options: LoadOptions }) => {
  void loadRevision(root, { ...options, indexScalars: true, cache }).then((revision) => {
    const byFile = new Map<string, typeof revision.documents>();
    for (const d of revision.documents) {
      const own = byFile.get(d.source.file);
      if (own) own.push(d);
      else byFile.set(d.source.file, [d]);
    }
    const reply: WorkerReply = { problems: revision.problems, files: [...byFile.keys()], changed: [] };
    for (const [file, documents] of byFile) {
      const before = sent.get(file);
      if (before?.length === documents.length && before.every((s, i) => s === documents[i]!.source)) continue;
      reply.changed.push([file, { manifests: documents.map((d) => d.manifest), scalars: indexScalars(documents) }]);
    }
    if (revision.problems.length === 0) sent = new Map([...byFile].map(([file, documents]) => [file, documents.map((d) => d.source)]));
    parentPort!.postMessage(reply);
  });
});
