import type { ReconcileReport } from '../report/notify.js';

export type Trigger = ReconcileReport['triggers'][number];

/**
 * The reasons waiting for the next reconcile. Triggers that arrive while one runs fold into a single follow-up run,
 * which keeps every reason (in the order they first came), so a webhook folded into a drift scan still shows.
 */
export class PendingTriggers {
  private reasons: Trigger[] = [];

  get empty(): boolean {
    return this.reasons.length === 0;
  }

  add(reason: Trigger): void {
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }

  /** The reasons of the run about to start; none are left pending. */
  take(): Trigger[] {
    const taken = this.reasons;
    this.reasons = [];
    return taken;
  }
}
