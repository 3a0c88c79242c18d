import type { Controller } from '../controller/controller.js';
import type { CommitStatusReporter } from './status.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Turns the controller's progress into commit statuses: pending when a new revision is taken up, success once it
 * is reconciled cleanly, failure when resources failed or the head was rejected (invalid manifests, or not signed
 * by an allowed key). A run that could not reach Git or AWS says nothing: the revision has not been judged.
 */
export function followController(controller: Controller, reporter: CommitStatusReporter): void {
  controller.on('revision', () => {
    if (controller.revision) void reporter.set(controller.revision.sha, 'pending', 'Ballast is applying this revision');
  });
  controller.on('reconciled', (summary) => {
    const bad = controller.badRevision;
    if (bad) {
      const why = bad.refused ? `refused: ${bad.refused.reason}` : `invalid: ${plural(bad.problems.length, 'problem')} in the manifests`;
      void reporter.set(bad.sha, 'failure', `${why}; the last good revision stays in force`);
    }
    const sha = controller.revision?.sha;
    if (!sha || summary.revision !== sha) return;
    if (summary.result === 'success') {
      void reporter.set(sha, 'success', `Reconciled: ${plural(summary.writes, 'write')}, live resources match`);
    } else if (summary.result === 'failure') {
      const failed = [...controller.resources.values()].filter((r) => r.lastError).length;
      void reporter.set(sha, 'failure', failed > 0 ? `${plural(failed, 'resource')} failed; see /status` : 'AWS could not be reached; retrying');
    }
  });
}
