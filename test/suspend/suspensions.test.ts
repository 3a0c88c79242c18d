import { describe, expect, it } from 'vitest';
import { MemorySuspendStore, Suspensions, suspendIn, type Suspension } from '../../src/suspend/index.js';
import type { Manifest } from '../../src/schema/index.js';

describe('runtime suspensions', () => {
  it('end by themselves at their duration, and tell when the next one ends', async () => {
    let now = Date.parse('2026-01-01T12:00:00Z');
    const suspensions = new Suspensions(new MemorySuspendStore(), () => now);
    await suspensions.suspend('EcsService/storefront', { forMs: 60_000, reason: 'load test' });
    await suspensions.suspend('Alarm/cpu', {});
    const { suspended } = await suspensions.current();
    expect(suspended).toEqual([
      { key: 'EcsService/storefront', since: '2026-01-01T12:00:00.000Z', until: '2026-01-01T12:01:00.000Z', reason: 'load test' },
      { key: 'Alarm/cpu', since: '2026-01-01T12:00:00.000Z' },
    ]);
    expect(suspensions.nextExpiry(suspended)).toBe(60_000);
    now += 60_000;
    expect((await suspensions.current()).suspended.map((s) => s.key)).toEqual(['Alarm/cpu']);
    expect(await suspensions.resume('EcsService/storefront')).toBe(false);
    expect(await suspensions.resume('Alarm/cpu')).toBe(true);
    expect((await suspensions.current()).suspended).toEqual([]);
  });

  it('honour the last suspensions read when the store cannot be read, and say why', async () => {
    const store = new MemorySuspendStore();
    const suspensions = new Suspensions(store);
    await suspensions.suspend('EcsService/storefront', {});
    store.load = () => Promise.reject(new Error('AccessDeniedException'));
    expect(await suspensions.current()).toEqual({ suspended: [expect.objectContaining({ key: 'EcsService/storefront' })], error: 'AccessDeniedException' });
  });

  it('give a suspended resource the suspend mode and leave the others as Git says', () => {
    const m = (name: string) => ({ apiVersion: 'ballast.dev/v1alpha1', kind: 'Alarm', metadata: { name, annotations: { 'ballast.dev/adopt': 'true' } }, spec: {} }) as unknown as Manifest;
    const suspended: Suspension[] = [{ key: 'Alarm/a', since: '2026-01-01T00:00:00Z' }];
    const [a, b] = suspendIn([m('a'), m('b')], suspended);
    expect(a!.metadata.annotations).toEqual({ 'ballast.dev/adopt': 'true', 'ballast.dev/mode': 'suspend' });
    expect(b!.metadata.annotations).toEqual({ 'ballast.dev/adopt': 'true' });
  });
});
