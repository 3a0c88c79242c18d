import { describe, expect, it } from 'vitest';
import { PendingTriggers } from '../../src/controller/triggers.js';

describe('pending triggers', () => {
  it('make a run of events alone cover every resource they named, once each', () => {
    const pending = new PendingTriggers();
    pending.add('event', ['Alarm/a', 'Alarm/b']);
    pending.add('event', ['Alarm/b', 'EcsService/web']);
    expect(pending.take()).toEqual({ triggers: ['event'], only: ['Alarm/a', 'Alarm/b', 'EcsService/web'] });
    expect(pending.empty).toBe(true);
  });

  it('make any other reason folded in a full run, keeping every reason', () => {
    const pending = new PendingTriggers();
    pending.add('event', ['Alarm/a']);
    pending.add('webhook');
    expect(pending.take()).toEqual({ triggers: ['event', 'webhook'] });
    // Nothing carries over: the next events make a narrowed run again.
    pending.add('event', ['Alarm/b']);
    expect(pending.take()).toEqual({ triggers: ['event'], only: ['Alarm/b'] });
  });
});
