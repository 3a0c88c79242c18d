import type { Logger } from 'pino';
import type { ReconcileReport } from '../report/notify.js';

type Head = 'new' | 'same' | 'rejected';

/**
 * The Git source's outage as reports tell it: the last fetch's error stays until a fetch succeeds, so a reconcile that
 * does not fetch (a health read's, an AWS event's) still reports the remote unreachable, `carried`: it keeps the
 * outage's streak towards Slack without adding to it.
 */
export class SourceOutage {
  private error?: string;

  /** Runs the fetch; a failed one keeps the last good revision (head `same`) and is remembered. */
  async fetch(load: () => Promise<Head>, logger: Logger): Promise<Head> {
    try {
      const head = await load();
      this.error = undefined;
      return head;
    } catch (err) {
      this.error = (err as Error).message;
      logger.warn({ err: this.error }, 'source unavailable: keeping the last good revision');
      return 'same';
    }
  }

  /** The failure a report of this reconcile carries, if the source is down. */
  failure(fetched: boolean): ReconcileReport['failures'][number] | undefined {
    if (this.error === undefined) return undefined;
    return { key: 'Source/git', code: 'SourceUnavailable', message: this.error, ...(fetched ? {} : { carried: true }) };
  }
}
