import { EventEmitter, once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { errorOf } from '../observe/index.js';
import type { LeaseRecord, LeaseStore } from './store.js';

export interface LeaseTiming {
  /** How long a standby waits, after it last saw the lease change, before it takes the lease over. */
  leaseDurationMs: number;
  /** The leader stops acting as leader when it has not renewed for this long (shorter than the lease duration). */
  renewDeadlineMs: number;
  /** Between attempts to acquire or renew. */
  retryPeriodMs: number;
}

/** What the rest of the controller asks: may this replica act (reconcile, write, run drills, post) right now? */
export interface LeaderGate {
  /** Holds the lease with a renewal younger than the renew deadline: may send to the estate right now. */
  readonly leading: boolean;
  /**
   * Won the lease and has not stood down: takes triggers. A renewal that is late but not yet failed (a slow lease
   * table, a stalled event loop) makes `leading` false for a while; a trigger dropped then would never come back.
   */
  readonly elected: boolean;
  /**
   * Whether this replica leads, once a renewal that is late has landed (true) or failed (false); at once when none is
   * late. For what comes after a run's last send (its report): a late renewal then must not cost the report.
   */
  confirmed(): Promise<boolean>;
  /** This replica's identity. */
  readonly identity: string;
  /** The identity holding the lease as last seen, if any. */
  readonly holder: string | undefined;
}

/** What a lease is used for, in the log lines of its gain, loss and release. */
export interface LeaseWords {
  gained: string;
  lost: string;
  released: string;
}

export interface ElectorOptions {
  /** Asked before taking a lease that is free or expired (never before a renewal); absent: always. */
  mayAcquire?: () => boolean;
  words?: LeaseWords;
}

const LEADER_WORDS: LeaseWords = { gained: 'leading', lost: 'standing by', released: 'leader lease released' };

/** Election off: the one replica always leads. */
export const soleLeader = (identity: string): LeaderGate => ({ leading: true, elected: true, confirmed: async () => true, identity, holder: identity });

/**
 * Leader election over one lease, the way controller-runtime does it: a standby measures the lease's age on its own
 * clock from when it last saw the record change (so clocks of different hosts need not agree), and takes it over by a
 * write conditional on the version it saw. The leader counts as leading only while its last renewal is younger than
 * the renew deadline, on a monotonic clock: a process paused past its lease is not leading when it wakes up, before
 * any timer of its own has run.
 */
export class LeaderElector extends EventEmitter<{ leading: []; standby: [string]; checked: [] }> implements LeaderGate {
  holder: string | undefined;
  private isLeader = false;
  private renewedAt = -Infinity;
  private observed?: { record: LeaseRecord; at: number };
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly store: LeaseStore,
    readonly identity: string,
    private readonly timing: LeaseTiming,
    private readonly logger: Logger,
    private readonly options: ElectorOptions = {},
  ) {
    super();
  }

  private get words(): LeaseWords {
    return this.options.words ?? LEADER_WORDS;
  }

  get leading(): boolean {
    return this.isLeader && performance.now() - this.renewedAt < this.timing.renewDeadlineMs;
  }

  get elected(): boolean {
    return this.isLeader;
  }

  async confirmed(): Promise<boolean> {
    if (!this.isLeader || this.leading || this.stopped) return this.leading;
    // Every lease check ends leading or stood down (tick()); one that hangs is given up once the lease has run out.
    const expiry = this.renewedAt + this.timing.leaseDurationMs - performance.now();
    await once(this, 'checked', { signal: AbortSignal.timeout(Math.max(0, Math.ceil(expiry))) }).catch(() => undefined);
    return this.leading;
  }

  /** Creates the table when missing, then tries for the lease at once and every retry period. */
  async start(): Promise<void> {
    if (await this.store.ensureTable()) this.logger.info({ table: this.store.table }, 'lease table created');
    this.schedule(0);
  }

  /** Stops trying; a leader gives the lease up so a standby takes over at once rather than after the lease duration. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    // No check comes any more: whoever waits for one is told now.
    this.emit('checked');
    await this.release();
  }

  /**
   * Gives the lease up, if held, so another replica takes it at once rather than after the lease duration. Not to be
   * called while a tick runs (its renewal could follow the release): callers that drive tick() themselves await it.
   */
  async release(): Promise<void> {
    const mine = this.observed?.record;
    if (!this.leading || !mine) return;
    this.isLeader = false;
    this.emit('standby', 'released');
    const now = new Date().toISOString();
    await this.store
      .write({ ...mine, holder: '', version: mine.version + 1, durationMs: 0, renewedAt: now }, mine.version)
      .then((released) => released && this.logger.info({ lease: this.store.name }, this.words.released))
      .catch((err: unknown) => this.logger.warn({ err: errorOf(err).message }, 'could not release the lease; it expires by itself'));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.ticking = this.tick().finally(() => this.schedule(this.timing.retryPeriodMs));
    }, delayMs);
  }

  /** One attempt to take or renew the lease; start() runs it every retry period, or a caller drives it. */
  async tick(): Promise<void> {
    try {
      await this.attempt();
    } catch (err) {
      const e = errorOf(err);
      this.logger.warn({ code: e.code, err: e.message, leading: this.leading }, 'lease check failed');
    }
    if (this.isLeader && !this.leading) this.standDown('renew deadline passed without a renewal');
    this.emit('checked');
  }

  private async attempt(): Promise<void> {
    const started = performance.now();
    const record = await this.store.read();
    const seen = this.observed?.record;
    if (record && (record.version !== seen?.version || record.holder !== seen.holder)) this.observed = { record, at: started };
    if (record) this.holder = record.holder || undefined;
    const heldByOther = record !== undefined && record.holder !== '' && record.holder !== this.identity;
    if (heldByOther && this.observed!.at + record.durationMs > started) {
      if (this.isLeader) this.standDown(`lease held by ${record.holder}`);
      return;
    }
    if (this.stopped) return;
    if (record?.holder !== this.identity && this.options.mayAcquire?.() === false) return;
    const now = new Date().toISOString();
    const next: LeaseRecord = {
      holder: this.identity,
      version: (record?.version ?? 0) + 1,
      durationMs: this.timing.leaseDurationMs,
      acquiredAt: record?.holder === this.identity ? record.acquiredAt : now,
      renewedAt: now,
    };
    if (!(await this.store.write(next, record?.version))) {
      if (this.isLeader) this.standDown('lease taken over');
      return;
    }
    // Counted from before the read: the lease is surely ours from then on, never from later than others see it.
    this.renewedAt = started;
    this.observed = { record: next, at: started };
    this.holder = this.identity;
    if (!this.isLeader) {
      this.isLeader = true;
      this.logger.info({ identity: this.identity, previous: heldByOther ? record.holder : record?.holder || undefined }, this.words.gained);
      this.emit('leading');
    }
  }

  private standDown(reason: string): void {
    this.isLeader = false;
    this.logger.warn({ identity: this.identity, holder: this.holder, reason }, this.words.lost);
    this.emit('standby', reason);
  }
}
