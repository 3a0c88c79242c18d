import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { pino } from 'pino';
import { useMoto } from '../support/moto.js';
import { within } from '../support/wait.js';
import { LeaseStore } from '../../src/lease/index.js';
import { extrasOf, shareOf, TargetShares } from '../../src/sharing/index.js';

const moto = useMoto();
const TABLE = 'ballast-leases';
const TARGETS = ['eu', 'us', 'ap', 'de', undefined];
const NAMES = ['(default)', 'ap', 'de', 'eu', 'us'];

describe('the fair share', () => {
  it('adds up to the number of targets, the first replicas by identity taking one more', () => {
    expect(['a', 'b', 'c'].map((id) => shareOf(id, ['a', 'b', 'c'], 5))).toEqual([2, 2, 1]);
    // Never 2, 2, 1, 0: four replicas and five targets leave nobody idle.
    expect(['a', 'b', 'c', 'd'].map((id) => shareOf(id, ['d', 'c', 'b', 'a'], 5))).toEqual([2, 1, 1, 1]);
    // More replicas than targets: the extra ones hold nothing.
    expect(['a', 'b', 'c'].map((id) => shareOf(id, ['a', 'b', 'c'], 2))).toEqual([1, 1, 0]);
    // A replica counts itself even before its own beat is read back.
    expect(shareOf('b', ['a'], 4)).toBe(2);
  });

  it('gives up the last targets by name beyond the share', () => {
    expect(extrasOf(['us', 'eu', 'ap'], 2)).toEqual(['us']);
    expect(extrasOf(['eu'], 0)).toEqual(['eu']);
    expect(extrasOf(['eu'], 3)).toEqual([]);
  });
});

describe('replicas sharing targets through the lease table', () => {
  const running: TargetShares[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop()));
  });

  const client = () => new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', maxAttempts: 1 });
  /** One replica, its rounds started, following the five targets (or those given). */
  async function replica(identity: string, leaseDurationMs: number, targets = TARGETS): Promise<TargetShares> {
    const shares = new TargetShares(client(), TABLE, 'ci', identity, { leaseDurationMs, renewDeadlineMs: leaseDurationMs - 500, retryPeriodMs: 200 }, pino({ level: 'silent' }));
    shares.setTargets(targets);
    running.push(shares);
    shares.start();
    return shares;
  }
  const holders = () => Promise.all(NAMES.map(async (t) => (await new LeaseStore(client(), TABLE, `target/ci/${t}`).read())?.holder ?? ''));
  const heldBy = (s: TargetShares) => s.status().filter((t) => t.held).map((t) => t.target);
  /** Resolves once `done` holds after one of the replicas gains or loses a target or sees another number of replicas. */
  const until = (replicas: TargetShares[], done: () => boolean) =>
    within(
      (async () => {
        while (!done()) {
          // The listeners that did not fire are removed, so a slow split does not pile them up.
          const race = new AbortController();
          await Promise.race(replicas.flatMap((r) => (['gained', 'lost', 'members'] as const).map((e) => once(r, e, { signal: race.signal })))).finally(() => race.abort());
        }
      })(),
      () => `a split; held: ${JSON.stringify(replicas.map(heldBy))}`,
    );

  it('three replicas split five targets 2, 2, 1, each target held by exactly one of them', async () => {
    await new LeaseStore(client(), TABLE, '').ensureTable();
    const replicas = await Promise.all(['a', 'b', 'c'].map((id) => replica(id, 10_000)));
    await until(replicas, () => replicas.map((r) => heldBy(r).length).join() === '2,2,1' && replicas.every((r) => r.replicas === 3));
    const held = replicas.map(heldBy);
    expect(held.flat().sort()).toEqual(NAMES);
    // The lease items agree with what each replica believes it holds.
    const items = await holders();
    for (const [i, r] of replicas.entries()) expect(NAMES.filter((_, t) => items[t] === r.identity)).toEqual(held[i]!.sort());
    for (const r of replicas) for (const t of [...TARGETS]) expect(r.holds(t)).toBe(heldBy(r).includes(t ?? '(default)'));
  });

  it('with more replicas than targets, the extra replica holds none and its gates stay closed', async () => {
    await new LeaseStore(client(), TABLE, '').ensureTable();
    const replicas = await Promise.all(['a', 'b', 'c'].map((id) => replica(id, 10_000, ['eu', 'us'])));
    await until(replicas, () => replicas.map((r) => heldBy(r).length).join() === '1,1,0');
    expect(replicas[2]!.status().map((t) => [t.target, t.held])).toEqual([['eu', false], ['us', false]]);
    const items = await Promise.all(['eu', 'us'].map(async (t) => (await new LeaseStore(client(), TABLE, `target/ci/${t}`).read())?.holder));
    expect(items.sort()).toEqual(['a', 'b']);
    expect([replicas[2]!.gate('eu')(), replicas[2]!.gate('us')()]).toEqual([false, false]);
  });

  it('a replica that joins gets its share at once: the others release their extras rather than let them expire', async () => {
    await new LeaseStore(client(), TABLE, '').ensureTable();
    // A lease that would take a minute to expire: only a release lets the newcomer in within the wait.
    const first = await replica('a', 60_000);
    await until([first], () => heldBy(first).length === 5);
    const second = await replica('b', 60_000);
    await until([first, second], () => heldBy(first).length === 3 && heldBy(second).length === 2);
    // The last targets by name went: the first replica kept the ones it was working on.
    expect(heldBy(first)).toEqual(['(default)', 'ap', 'de']);
    expect((await holders()).filter((h) => h === 'b')).toHaveLength(2);

    // A replica that stops gives its targets up, and the other takes them without waiting for the lease to expire.
    const stopped = running.splice(running.indexOf(second), 1)[0]!;
    await stopped.stop();
    await until([first], () => heldBy(first).length === 5);
  });
});
