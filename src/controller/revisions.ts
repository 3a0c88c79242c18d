import type { Logger } from 'pino';
import type { RevisionLoader } from '../isolated-load/index.js';
import type { RevisionLimits } from '../load/limits.js';
import type { SourceRevision } from '../source/git.js';
import type { Verdict } from '../trust/signature.js';
import type { RejectedRevision, RevisionInForce } from './recorder.js';

export interface HeadDeps {
  source: { sync(): Promise<SourceRevision> };
  verifier?: { verify(repo: string, sha: string): Promise<Verdict> };
  logger: Logger;
  loader: Pick<RevisionLoader, 'load'>;
  revisionLimits: RevisionLimits;
}

export type HeadOutcome = { head: 'same' } | { head: 'rejected'; rejected: RejectedRevision } | { head: 'new'; revision: RevisionInForce; signer?: string };

/**
 * Fetches the branch head and decides what it is: the commit already known (in force or rejected), a refused or
 * invalid revision, or a new revision to put in force (only when every manifest is valid).
 */
export async function loadHead(deps: HeadDeps, known: { revision?: string; rejected?: string }): Promise<HeadOutcome> {
  const head = await deps.source.sync();
  if (head.sha === known.revision || head.sha === known.rejected) return { head: 'same' };
  const verdict = await deps.verifier?.verify(head.root, head.sha);
  if (verdict && !verdict.trusted) {
    deps.logger.warn({ revision: head.sha, committer: verdict.committer, reason: verdict.reason }, 'unsigned revision refused: keeping the last good one');
    return { head: 'rejected', rejected: { sha: head.sha, problems: [], refused: { committer: verdict.committer, reason: verdict.reason } } };
  }
  const loaded = await deps.loader.load(head.dir, { cwd: head.root, within: head.root, limits: deps.revisionLimits });
  if (loaded.problems.length > 0) {
    deps.logger.warn({ revision: head.sha, problems: loaded.problems.length }, 'invalid revision rejected: keeping the last good one');
    return { head: 'rejected', rejected: { sha: head.sha, problems: loaded.problems } };
  }
  const revision = { sha: head.sha, message: head.message, author: head.author, manifests: loaded.manifests, scalars: loaded.scalars, loadedAt: new Date().toISOString() };
  return { head: 'new', revision, ...(verdict?.trusted ? { signer: verdict.signer } : {}) };
}
