import type { Logger } from 'pino';
import { partialRun, type PendingRun } from './triggers.js';

/**
 * Backs off after a failure that may pass by itself (throttling, 5xx, network, an unreachable remote): the delay
 * doubles from base up to max, with jitter, and starts again at base after a success. Terminal failures (a refused
 * change, access denied, a missing reference) wait for the next change or scheduled scan instead of hammering AWS
 * with retries that cannot succeed.
 */
export class RetryBackoff {
  private failures = 0;
  private timer?: NodeJS.Timeout;
  private due = false;

  constructor(
    private readonly baseMs: number,
    private readonly maxMs: number,
    private readonly logger: Logger,
    private readonly retry: () => void,
  ) {}

  /** A failure awaits its retry: from the failure until a reconcile of the whole estate (the retry, or any other) ends. */
  get pending(): boolean {
    return this.due;
  }

  /**
   * After each reconcile: schedules a retry when its failure may pass, forgets earlier failures after a success. A
   * health read's or an AWS event's reconcile fetches nothing (and mostly reads only part of the estate): its success
   * says nothing of an earlier failure, and while a retry is due its failure does not put that retry off.
   */
  after(summary: PendingRun & { retry: boolean }): void {
    if (partialRun(summary) && (!summary.retry || this.pending)) return;
    this.stop();
    this.due = summary.retry;
    if (!summary.retry) {
      this.failures = 0;
      return;
    }
    this.failures += 1;
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** (this.failures - 1));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.logger.info({ failures: this.failures, retryInMs: Math.round(delay) }, 'reconcile failed: backing off');
    this.timer = setTimeout(this.retry, delay);
    this.timer.unref();
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
