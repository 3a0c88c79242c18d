import type { Controller } from '../controller/controller.js';
import type { CommitStatusReporter } from './status.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Turns the controller's progress into commit statuses: pending when a new revision is taken up (and while its
 * changes are still progressing), success once it is reconciled cleanly and healthy, failure when resources failed
 * or the head was rejected (invalid manifests, or not signed by an allowed key). A run that could not reach Git or
 * AWS says nothing: the revision has not been judged. A status already set is not set again.
 */
export function followController(controller: Controller, reporter: CommitStatusReporter): void {
  let last = '';
  const set = (sha: string, state: 'pending' | 'success' | 'failure', description: string) => {
    if (`${sha} ${state} ${description}` === last) return;
    last = `${sha} ${state} ${description}`;
    void reporter.set(sha, state, description);
  };
  controller.on('revision', () => {
    if (controller.revision) set(controller.revision.sha, 'pending', 'Ballast is applying this revision');
  });
  controller.on('reconciled', (summary) => {
    const bad = controller.badRevision;
    if (bad) {
      const why = bad.refused ? `refused: ${bad.refused.reason}` : `invalid: ${plural(bad.problems.length, 'problem')} in the manifests`;
      set(bad.sha, 'failure', `${why}; the last good revision stays in force`);
    }
    const sha = controller.revision?.sha;
    if (!sha || summary.revision !== sha) return;
    const progressing = [...controller.resources.values()].filter((r) => r.status === 'progressing').length;
    if (summary.result === 'success' && progressing > 0) {
      set(sha, 'pending', `Applied; ${plural(progressing, 'resource')} still progressing`);
    } else if (summary.result === 'success') {
      set(sha, 'success', `Reconciled: live resources match and are healthy`);
    } else if (summary.result === 'failure') {
      const failed = [...controller.resources.values()].filter((r) => r.lastError).length;
      set(sha, 'failure', failed > 0 ? `${plural(failed, 'resource')} failed; see /status` : 'AWS could not be reached; retrying');
    }
  });
}
