import type { ReconcileReport } from '../report/notify.js';

export type Trigger = ReconcileReport['triggers'][number];

/** What the next reconcile is for: its reasons and, when every reason named resources (events), only those. */
export interface PendingRun {
  triggers: Trigger[];
  only?: string[];
}

/**
 * A run for progress or events alone: a health read of what is progressing (a full read only once one settles), or what
 * AWS events named. It fetches nothing, so its success does not stand for the whole estate's.
 */
export const partialRun = (run: PendingRun): boolean => run.only !== undefined || run.triggers.every((t) => t === 'progress');

/**
 * The reasons waiting for the next reconcile. Triggers that arrive while one runs fold into a single follow-up run,
 * which keeps every reason (in the order they first came), so a webhook folded into a drift scan still shows. Events
 * name resources: a run for events alone covers the union of what they named; any other reason makes it a full run.
 */
export class PendingTriggers {
  private reasons: Trigger[] = [];
  private named = new Set<string>();
  private whole = false;

  get empty(): boolean {
    return this.reasons.length === 0;
  }

  add(reason: Trigger, resources?: string[]): void {
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
    if (resources) for (const r of resources) this.named.add(r);
    else this.whole = true;
  }

  /** The run about to start; nothing is left pending. */
  take(): PendingRun {
    const run: PendingRun = { triggers: this.reasons, ...(this.whole ? {} : { only: [...this.named] }) };
    this.reasons = [];
    this.named = new Set();
    this.whole = false;
    return run;
  }
}
