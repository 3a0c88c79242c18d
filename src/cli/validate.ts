import { loadRevision } from '../validate/index.js';
import { formatProblem } from '../problem.js';
import { KINDS } from '../schema/kinds.js';
import { revisionOf } from './revision.js';
import { writeJson, type Io, type OutputFormat } from './io.js';

export async function validateCommand(path: string, output: OutputFormat, io: Io): Promise<number> {
  // Asked for first: git runs beside the load.
  const commit = output === 'json' ? revisionOf(path) : undefined;
  const revision = await loadRevision(path);
  const valid = revision.problems.length === 0;
  if (output === 'json') {
    const counts = Object.fromEntries(KINDS.map((k) => [k, revision.manifests.filter((m) => m.kind === k).length]));
    writeJson(io, { valid, files: revision.files, manifests: revision.manifests.length, kinds: counts, problems: revision.problems }, await commit);
  } else if (valid) {
    io.stdout(`${path}: ${revision.manifests.length} manifests in ${revision.files} files are valid\n`);
  } else {
    for (const p of revision.problems) io.stdout(`${formatProblem(p)}\n`);
    io.stderr(`${revision.problems.length} problem(s); nothing in this revision would be applied\n`);
  }
  return valid ? 0 : 1;
}
