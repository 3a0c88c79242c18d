import type { Logger } from 'pino';

export type StatusState = 'pending' | 'success' | 'failure' | 'error';

export interface CommitStatusSettings {
  /** A token allowed to write commit statuses (fine-grained: "Commit statuses: write"). Never logged. */
  token: string;
  /** owner/name of the repository the commits are in. */
  repository: string;
  /** REST API root: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server. */
  apiUrl: string;
  /** Where "Details" links to: the controller's /status. */
  targetUrl?: string;
  /** The check name shown on the commit. */
  context: string;
}

/** GitHub cuts a status description at 140 characters. */
const MAX_DESCRIPTION = 140;

/** The owner/name of a GitHub repository URL (https or ssh), when it is one. */
export function githubRepository(url: string): string | undefined {
  const m = /github\.com[/:]([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+?)(\.git)?\/?$/.exec(url);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/**
 * Sets a commit status on each revision the controller reconciles (like Flux's notification-controller), once per
 * commit and state. A failing GitHub call is logged and skipped:
 * it never holds up or fails a reconcile.
 */
export class CommitStatusReporter {
  private readonly sent = new Map<string, string>();

  constructor(
    private readonly settings: CommitStatusSettings,
    private readonly logger: Logger,
  ) {
    if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(settings.repository)) throw new Error(`GitHub repository "${settings.repository}" is not owner/name`);
  }

  async set(sha: string, state: StatusState, description: string): Promise<void> {
    const text = description.length > MAX_DESCRIPTION ? `${description.slice(0, MAX_DESCRIPTION - 1)}…` : description;
    // Once per commit and state: a drift scan of a converged commit (0 writes this time) changes nothing on GitHub.
    if (this.sent.get(sha) === state) return;
    const { apiUrl, repository, token, targetUrl, context } = this.settings;
    try {
      const response = await fetch(`${apiUrl.replace(/\/$/, '')}/repos/${repository}/statuses/${encodeURIComponent(sha)}`, {
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'user-agent': 'ballast',
          'x-github-api-version': '2022-11-28',
        },
        body: JSON.stringify({ state, description: text, context, ...(targetUrl ? { target_url: targetUrl } : {}) }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`GitHub answered ${response.status} ${(await response.text()).slice(0, 200)}`);
      this.sent.set(sha, state);
      this.logger.info({ revision: sha, state, context }, 'commit status set');
    } catch (err) {
      this.logger.warn({ revision: sha, state, err: (err as Error).message }, 'could not set the commit status');
    }
  }
}
