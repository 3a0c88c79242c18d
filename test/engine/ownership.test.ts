import { describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/schema/index.js';
import { allowsDestructive, asKeyValue, asLowerKeyValue, ownershipSubset, ownershipTags, wantsAdoption } from '../../src/engine/tags.js';
import { pruneRefusal } from '../../src/plan/prune-guard.js';

const alarm = (annotations?: Record<string, string>) =>
  ({ apiVersion: 'ballast.dev/v1', kind: 'Alarm', metadata: { name: 'cpu-high', ...(annotations ? { annotations } : {}) }, spec: {} }) as unknown as Manifest;

// What Ballast may touch, and what prune may delete, is decided by these tags alone.
describe('ownership tags', () => {
  it('name the controller and the manifest, and carry the destructive opt-in only when the annotation says "true"', () => {
    expect(ownershipTags('team-a', alarm())).toEqual({ 'ballast.dev/managed-by': 'team-a', 'ballast.dev/manifest': 'Alarm/cpu-high' });
    expect(ownershipTags('team-a', alarm({ 'ballast.dev/allow-destructive': 'true' }))).toEqual({
      'ballast.dev/managed-by': 'team-a',
      'ballast.dev/manifest': 'Alarm/cpu-high',
      'ballast.dev/allow-destructive': 'true',
    });
    expect(allowsDestructive(alarm({ 'ballast.dev/allow-destructive': 'yes' }))).toBe(false);
    expect(allowsDestructive(alarm())).toBe(false);
  });

  it('adopt only with the adopt annotation set to "true"', () => {
    expect(wantsAdoption(alarm({ 'ballast.dev/adopt': 'true' }))).toBe(true);
    expect(wantsAdoption(alarm({ 'ballast.dev/adopt': 'false' }))).toBe(false);
    expect(wantsAdoption(alarm({ 'ballast.dev/allow-destructive': 'true' }))).toBe(false);
    expect(wantsAdoption(alarm())).toBe(false);
  });

  it('are the only tags Ballast compares: everyone else\'s stay out of it', () => {
    const live = { 'ballast.dev/managed-by': 'team-a', 'ballast.dev/manifest': 'Alarm/x', 'ballast.dev/allow-destructive': 'true', team: 'payments', 'ballast.dev/other': '1' };
    expect(ownershipSubset(live)).toEqual({ 'ballast.dev/managed-by': 'team-a', 'ballast.dev/manifest': 'Alarm/x', 'ballast.dev/allow-destructive': 'true' });
  });

  it('are sent as each API spells them', () => {
    expect(asKeyValue({ a: '1', b: '2' })).toEqual([{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }]);
    expect(asLowerKeyValue({ a: '1' })).toEqual([{ key: 'a', value: '1' }]);
  });
});

describe('prune with the default controller id', () => {
  it('is refused unless the id was stated, and naming the way to state it', () => {
    expect(pruneRefusal({ prune: true, controllerId: 'ballast' })).toMatch(/^prune with the default controller id "ballast" .*--controller-id/);
    expect(pruneRefusal({ prune: true, controllerId: 'ballast', controllerIdStated: false })).toBeDefined();
    expect(pruneRefusal({ prune: true, controllerId: 'ballast', controllerIdStated: true })).toBeUndefined();
    expect(pruneRefusal({ prune: true, controllerId: 'team-a' })).toBeUndefined();
    expect(pruneRefusal({ prune: false, controllerId: 'ballast' })).toBeUndefined();
  });
});
