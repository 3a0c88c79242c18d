import { EventEmitter } from 'node:events';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import { LeaderElector, type LeaseTiming } from '../lease/elector.js';
import { LeaseStore } from '../lease/store.js';
import type { SendGate } from '../aws/send-gate.js';
import { errorOf } from '../observe/index.js';
import { Membership } from './members.js';
import { extrasOf, shareOf } from './split.js';

/** The default target's name in lease items, metrics and /status: a Target's name never has parentheses. */
const DEFAULT_TARGET = '(default)';
const shareNameOf = (target: string | undefined): string => target ?? DEFAULT_TARGET;

/** One target of the revision in force, as this replica sees its lease. */
export interface TargetHolding {
  target: string;
  held: boolean;
  /** The replica holding its lease as last read; null when free. */
  holder: string | null;
}

/** What the reconcile asks: may this replica act on this target (undefined: the default target) right now? */
export interface TargetGate {
  holds(target: string | undefined): boolean;
}

/**
 * The targets of the revision shared out over the replicas of one controller id: each target is held through its own
 * lease `target/<controller id>/<target>`, taken and renewed by a LeaderElector (conditional writes, the same timing
 * and monotonic-clock deadline as the leader lease), and every replica beats in the membership item. Each retry period
 * one round: renew what is held and the membership beat side by side, give up held targets beyond this replica's
 * fair share (released, so another takes them at once), then try the others side by side, each free lease taken only
 * while this replica holds (or is taking) fewer than its share.
 */
export class TargetShares extends EventEmitter<{ gained: [string]; lost: [string]; members: [number] }> implements TargetGate {
  private readonly electors = new Map<string, LeaderElector>();
  private readonly members: Membership;
  private wanted = new Set<string>();
  /** Targets whose take is being written this round (see reserve). */
  private readonly taking = new Set<string>();
  private live: string[];
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly controllerId: string,
    readonly identity: string,
    private readonly timing: LeaseTiming,
    private readonly logger: Logger,
  ) {
    super();
    this.members = new Membership(client, table, controllerId, identity, timing.leaseDurationMs);
    this.live = [identity];
  }

  holds(target: string | undefined): boolean {
    return this.electors.get(shareNameOf(target))?.leading ?? false;
  }

  /** The send gate of one target's clients: closed as soon as this replica does not hold its lease. */
  gate(target: string | undefined): SendGate {
    return () => this.holds(target);
  }

  /** The replicas seen alive at the last round, this one included. */
  get replicas(): number {
    return this.live.length;
  }

  status(): TargetHolding[] {
    return [...this.electors].map(([target, e]) => ({ target, held: e.leading, holder: e.holder ?? null })).sort((a, b) => (a.target < b.target ? -1 : 1));
  }

  /** The targets of the revision in force (undefined: the default target); the next round takes them up. */
  setTargets(targets: (string | undefined)[]): void {
    this.wanted = new Set(targets.map(shareNameOf));
  }

  start(): void {
    this.schedule(0);
  }

  /** Gives every held target up (so others take them at once) and leaves the membership. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
    await Promise.all([...this.electors.values()].map((e) => e.release()));
    await this.members.leave().catch((err: unknown) => this.logger.warn({ err: errorOf(err).message }, 'could not leave the membership item; the others count this replica gone after the lease duration'));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.round = this.share().finally(() => this.schedule(this.timing.retryPeriodMs));
    }, delayMs);
  }

  private get fairShare(): number {
    return shareOf(this.identity, this.live, this.electors.size);
  }

  private held(): string[] {
    return [...this.electors].filter(([, e]) => e.leading).map(([name]) => name);
  }

  private async share(): Promise<void> {
    // What is held is renewed first, beside the membership beat: a slow table must not push renewals past their deadline.
    const renewing = Promise.all([...this.electors.values()].filter((e) => e.leading).map((e) => e.tick()));
    const live = await this.members.renew().catch((err: unknown) => {
      // The others count this replica gone after the lease duration, and take what is free; what it holds it keeps renewing.
      this.logger.warn({ err: errorOf(err).message }, 'could not renew the membership item');
    });
    await renewing;
    if (live) {
      const changed = live.length !== this.live.length;
      this.live = live;
      if (changed) this.emit('members', live.length);
    }
    for (const [name, e] of this.electors) {
      if (this.wanted.has(name)) continue;
      this.electors.delete(name);
      await e.release();
    }
    for (const name of this.wanted) if (!this.electors.has(name)) this.electors.set(name, this.elector(name));
    const extras = extrasOf(this.held(), this.fairShare);
    if (extras.length > 0) this.logger.info({ extras, share: this.fairShare, replicas: this.replicas }, 'giving targets up to the other replicas');
    for (const name of extras) await this.electors.get(name)!.release();
    const free = [...this.electors].filter(([, e]) => !e.leading);
    await Promise.all(free.map(([name, e]) => e.tick().finally(() => this.taking.delete(name))));
  }

  /**
   * Asked right before a free or expired lease is written: the leases of a round are tried side by side, so a take
   * counts against the share from then until its write is answered (and it is held, or lost to another replica).
   */
  private reserve(name: string): boolean {
    if (this.held().length + this.taking.size >= this.fairShare) return false;
    this.taking.add(name);
    return true;
  }

  private elector(name: string): LeaderElector {
    const store = new LeaseStore(this.client, this.table, `target/${this.controllerId}/${name}`);
    const e = new LeaderElector(store, this.identity, this.timing, this.logger.child({ target: name }), {
      mayAcquire: () => this.reserve(name),
      words: { gained: 'target held', lost: 'target lost', released: 'target released' },
    });
    e.on('leading', () => this.emit('gained', name));
    e.on('standby', () => this.emit('lost', name));
    return e;
  }
}
