import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { RetryBackoff } from '../../src/controller/backoff.js';

describe('the retry backoff', () => {
  let retries: number;
  let backoff: RetryBackoff;
  const whole = (retry: boolean) => ({ triggers: ['drift-scan' as const], retry });
  const health = (retry: boolean) => ({ triggers: ['progress' as const], retry });
  const event = (retry: boolean) => ({ triggers: ['event' as const], only: ['EcsService/web'], retry });
  /** The retries sent so far, once `ms` more have passed. */
  const retriesAfter = (ms: number) => {
    vi.advanceTimersByTime(ms);
    return retries;
  };

  beforeEach(() => {
    vi.useFakeTimers();
    retries = 0;
    backoff = new RetryBackoff(5_000, 300_000, pino({ level: 'silent' }), () => (retries += 1));
  });
  afterEach(() => vi.useRealTimers());

  it('retries a failure within 5 s, and a partial run neither cancels that retry when it succeeds nor puts it off when it fails', () => {
    backoff.after(whole(true));
    backoff.after(health(false));
    backoff.after(event(true));
    expect(backoff.pending).toBe(true);
    expect(retriesAfter(5_000)).toBe(1);
    // The retry has fired but its run has not ended: a partial failure meanwhile schedules nothing more.
    backoff.after(health(true));
    expect(retriesAfter(600_000)).toBe(1);
    // The retry's run fails: the second failure waits 5-10 s.
    backoff.after(whole(true));
    expect(retriesAfter(4_999)).toBe(1);
    expect(retriesAfter(5_001)).toBe(2);
  });

  it('schedules a retry for a partial failure when none is due, and a whole success forgets every failure', () => {
    backoff.after(event(true));
    expect(backoff.pending).toBe(true);
    expect(retriesAfter(5_000)).toBe(1);
    backoff.after(whole(false));
    expect(backoff.pending).toBe(false);
    backoff.after(whole(true));
    // Counted from the start again: within 5 s, not 10.
    expect(retriesAfter(5_000)).toBe(2);
    backoff.after(whole(false));
    expect(retriesAfter(600_000)).toBe(2);
  });

  it('sends no retry once stopped', () => {
    backoff.after(whole(true));
    backoff.stop();
    expect(retriesAfter(600_000)).toBe(0);
  });
});
