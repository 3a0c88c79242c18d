import type { ApplyEvent } from '../apply/index.js';
import type { Io } from './io.js';

/** `45s`, `1m0s`, `1h2m3s`, like Terraform's "Still modifying... [1m0s elapsed]". */
export function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  const [h, m, sec] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
}

/**
 * What `apply` tells a person while it works: each action and health change as it happens, and every `everyMs` the
 * resources still awaited, how long since they were applied and their latest state (ECS rollout, RDS status).
 */
export class ApplyProgress {
  private readonly applied = new Map<string, number>();
  private readonly waiting = new Map<string, { since: number; reason: string }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly io: Io,
    private readonly everyMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  readonly onEvent = (e: ApplyEvent): void => {
    if (e.type === 'action') {
      this.io.stderr(`${e.state.padEnd(7)} ${e.id}${e.detail ? `: ${e.detail}` : ''}\n`);
      if (e.state === 'done') this.applied.set(e.id.split('#')[0]!, this.now());
      return;
    }
    this.io.stderr(`health  ${e.key}: ${e.health.steady ? 'steady' : e.health.reason}\n`);
    if (e.health.steady || e.health.failed) this.waiting.delete(e.key);
    else this.waiting.set(e.key, { since: this.waiting.get(e.key)?.since ?? this.applied.get(e.key) ?? this.now(), reason: e.health.reason });
  };

  start(): void {
    this.timer = setInterval(() => {
      for (const [key, w] of this.waiting) this.io.stderr(`still waiting for ${key} [${elapsed(this.now() - w.since)} elapsed]: ${w.reason}\n`);
    }, this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The resources not healthy yet when the apply ended (an interruption), with their latest state. */
  get unsettled(): [string, string][] {
    return [...this.waiting].map(([key, w]) => [key, w.reason]);
  }
}

/** Aborted on the first Ctrl-C; a second one quits at once (exit 130). */
export function interruptOnSigint(): { signal: AbortSignal; dispose: () => void } {
  const abort = new AbortController();
  const onSigint = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: abort.signal, dispose: () => process.off('SIGINT', onSigint) };
}
