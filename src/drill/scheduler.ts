import cron, { type ScheduledTask } from 'node-cron';
import { ANNOTATIONS, type Manifest, type RestoreDrill } from '../schema/index.js';
import { drillSpec } from './spec.js';
import type { DrillResult } from './types.js';

/** What /status shows per drill. */
export interface DrillStatus {
  drill: string;
  db: string;
  schedule: string;
  timezone: string;
  /** Next scheduled start; null while the scheduler is stopped. */
  nextRun: string | null;
  state: 'idle' | 'queued' | 'running';
  last?: DrillResult;
}

interface Entry {
  drill: RestoreDrill;
  task: ScheduledTask;
}

const timing = (d: RestoreDrill) => {
  const spec = drillSpec(d);
  return `${spec.schedule}\u0000${spec.timezone}`;
};

/**
 * Runs the revision's RestoreDrills on their cron schedules, one drill at a time: drills of one controller never
 * overlap, so the leftover cleanup before each cannot take a running drill's instance, and restores do not pile up.
 * Keeps the last result per drill for /status. `run` should not throw: a drill's failures are its result.
 */
export class DrillScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly last = new Map<string, DrillResult>();
  private readonly queued = new Map<string, Promise<DrillResult | undefined>>();
  private running: string | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private started = false;
  /** Set by stop(): queued drills are dropped, new triggers ignored, until start(). */
  private stopping = false;

  constructor(private readonly run: (drill: RestoreDrill) => Promise<DrillResult>) {}

  /** Takes a revision's manifests: new drills are scheduled, changed ones rescheduled, removed or suspended ones dropped. */
  update(manifests: Manifest[]): void {
    const drills = new Map(
      manifests
        .filter((m): m is RestoreDrill => m.kind === 'RestoreDrill' && m.metadata.annotations?.[ANNOTATIONS.mode] !== 'suspend')
        .map((d) => [d.metadata.name, d]),
    );
    for (const [name, entry] of this.entries) {
      const next = drills.get(name);
      if (next && timing(next) === timing(entry.drill)) {
        entry.drill = next;
        continue;
      }
      void entry.task.destroy();
      this.entries.delete(name);
      if (!next) this.last.delete(name);
    }
    for (const [name, drill] of drills) {
      if (this.entries.has(name)) continue;
      const spec = drillSpec(drill);
      const task = cron.createTask(spec.schedule, () => this.trigger(name), { timezone: spec.timezone, name: `drill:${name}` });
      if (this.started) void task.start();
      this.entries.set(name, { drill, task });
    }
  }

  start(): void {
    this.started = true;
    this.stopping = false;
    for (const { task } of this.entries.values()) void task.start();
  }

  /** Stops the schedules and drops queued drills; resolves once a running drill has finished (abort it to hurry). */
  async stop(): Promise<void> {
    this.started = false;
    this.stopping = true;
    for (const { task } of this.entries.values()) await task.stop();
    await this.tail;
  }

  /**
   * Queues a drill now (its schedule fired, or someone asked for it). A drill already queued or running is not queued
   * again: the pending run is returned. Resolves undefined when the drill is unknown, removed or the scheduler stopped.
   */
  trigger(name: string): Promise<DrillResult | undefined> {
    const pending = this.queued.get(name);
    if (pending) return pending;
    if (!this.entries.has(name) || this.stopping) return Promise.resolve(undefined);
    const run = this.tail.then(async () => {
      const drill = this.entries.get(name)?.drill;
      if (!drill || this.stopping) {
        this.queued.delete(name);
        return undefined;
      }
      this.running = name;
      try {
        const result = await this.run(drill);
        this.last.set(name, result);
        return result;
      } finally {
        this.running = undefined;
        this.queued.delete(name);
      }
    });
    this.queued.set(name, run);
    this.tail = run.catch(() => undefined);
    return run;
  }

  status(): DrillStatus[] {
    return [...this.entries.values()].map(({ drill, task }) => {
      const spec = drillSpec(drill);
      const name = drill.metadata.name;
      return {
        drill: name,
        db: spec.dbInstance,
        schedule: spec.schedule,
        timezone: spec.timezone,
        nextRun: this.started ? (task.getNextRun()?.toISOString() ?? null) : null,
        state: this.running === name ? 'running' : this.queued.has(name) ? 'queued' : 'idle',
        ...(this.last.has(name) ? { last: this.last.get(name) } : {}),
      };
    });
  }

  /** The last result of every scheduled drill that has run. */
  results(): DrillResult[] {
    return [...this.last.values()];
  }
}
