import { afterEach, describe, expect, it } from 'vitest';
import { DrillScheduler, type DrillResult } from '../../src/drill/index.js';
import type { Manifest, RestoreDrill } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';

const manifests = (await loadRevision('desired-state')).manifests;
const drill = manifests.find((m): m is RestoreDrill => m.kind === 'RestoreDrill')!;
const withSchedule = (schedule: string, timezone = 'UTC'): Manifest[] => [
  ...manifests.filter((m) => m.kind !== 'RestoreDrill'),
  { ...drill, spec: { ...drill.spec, schedule, timezone } },
];

/** A drill runner that finishes when the test says so. */
function runner() {
  const runs: { name: string; finish: () => void }[] = [];
  const run = (d: RestoreDrill) =>
    new Promise<DrillResult>((resolve) => {
      runs.push({ name: d.metadata.name, finish: () => resolve({ drill: d.metadata.name, outcome: 'passed' } as DrillResult) });
    });
  return { runs, run };
}

let scheduler: DrillScheduler | undefined;
afterEach(async () => {
  await scheduler?.stop();
});

describe('DrillScheduler', () => {
  it('schedules the revision\'s drills by their cron expression and time zone', () => {
    scheduler = new DrillScheduler(runner().run);
    scheduler.update(manifests);
    expect(scheduler.status().map((s) => [s.drill, s.db, s.nextRun])).toEqual([['shop-db-drill', 'shop-db', null]]);

    scheduler.start();
    const [status] = scheduler.status();
    const next = new Date(status!.nextRun!);
    // "0 5 * * 1": Monday 05:00 UTC, within the coming week.
    expect([next.getUTCDay(), next.getUTCHours(), next.getUTCMinutes()]).toEqual([1, 5, 0]);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(7 * 24 * 3600_000);

    scheduler.update(withSchedule('30 6 * * 3', 'Europe/Berlin'));
    const moved = new Date(scheduler.status()[0]!.nextRun!);
    expect(moved.getUTCDay()).toBe(3);
    expect([4, 5]).toContain(moved.getUTCHours()); // 06:30 in Berlin is 04:30 or 05:30 UTC

    scheduler.update(manifests.filter((m) => m.kind !== 'RestoreDrill'));
    expect(scheduler.status()).toEqual([]);
  });

  it('runs one drill at a time, never the same drill twice at once, and keeps the last result', async () => {
    const { runs, run } = runner();
    const twin = { ...drill, metadata: { name: 'shop-db-drill-2' }, spec: { ...drill.spec, schedule: '0 6 * * 1' } };
    scheduler = new DrillScheduler(run);
    scheduler.update([...manifests, twin]);

    const first = scheduler.trigger('shop-db-drill');
    expect(scheduler.trigger('shop-db-drill')).toBe(first);
    const second = scheduler.trigger('shop-db-drill-2');
    await Promise.resolve();
    expect(runs.map((r) => r.name)).toEqual(['shop-db-drill']);
    expect(scheduler.status().map((s) => s.state)).toEqual(['running', 'queued']);

    runs[0]!.finish();
    expect(await first).toMatchObject({ drill: 'shop-db-drill', outcome: 'passed' });
    await new Promise((r) => setImmediate(r));
    expect(runs.map((r) => r.name)).toEqual(['shop-db-drill', 'shop-db-drill-2']);
    runs[1]!.finish();
    await second;
    expect(scheduler.results().map((r) => r.drill)).toEqual(['shop-db-drill', 'shop-db-drill-2']);
    expect(scheduler.status().map((s) => [s.state, s.last?.outcome])).toEqual([
      ['idle', 'passed'],
      ['idle', 'passed'],
    ]);
  });

  it('does not schedule a suspended drill, and runs nothing once stopped', async () => {
    const { runs, run } = runner();
    scheduler = new DrillScheduler(run);
    const suspended = { ...drill, metadata: { ...drill.metadata, annotations: { 'ballast.dev/mode': 'suspend' as const } } };
    scheduler.update([suspended]);
    expect(scheduler.status()).toEqual([]);

    scheduler.update(manifests);
    await scheduler.stop();
    expect(await scheduler.trigger('shop-db-drill')).toBeUndefined();
    expect(runs).toEqual([]);
  });
});
