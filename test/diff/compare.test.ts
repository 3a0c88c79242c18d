import { describe, expect, it } from 'vitest';
import { arnName, Changes, sameValue, versionMatches } from '../../src/diff/compare.js';

// Every reconciler's diff is built from these: a wrong "same" hides drift, a wrong "different" rewrites an estate
// that already matches on every run.
describe('field comparison', () => {
  it('takes a numeric string for its number either way round, and nothing else for a number', () => {
    expect(sameValue('512', 512)).toBe(true);
    expect(sameValue(512, '512')).toBe(true);
    expect(sameValue('1024', 512)).toBe(false);
    expect(sameValue(512, '1024')).toBe(false);
    // Number('') and Number(' ') are 0: an empty string is not zero.
    expect(sameValue('', 0)).toBe(false);
    expect(sameValue(0, ' ')).toBe(false);
    expect(sameValue('0', 0)).toBe(true);
    expect(sameValue({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(sameValue({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
  });

  it('matches an engine version by its stated prefix only', () => {
    expect(versionMatches('16', '16.3')).toBe(true);
    expect(versionMatches('16.3', '16.3')).toBe(true);
    expect(versionMatches('16.3', '16.3.1')).toBe(true);
    expect(versionMatches('16.3', '16.4')).toBe(false);
    expect(versionMatches('16', '160.1')).toBe(false);
    expect(versionMatches('16', undefined)).toBe(false);
  });

  it('names an ARN by its last path segment and leaves a plain name alone', () => {
    expect(arnName('arn:aws:ecs:us-east-1:123456789012:task-definition/web:3')).toBe('web:3');
    expect(arnName('web/v2:3')).toBe('web/v2:3');
  });
});

describe('Changes', () => {
  it('records a stated field that differs, with null for a missing live value, and skips unstated or equal ones', () => {
    const c = new Changes();
    c.field('spec.cpu', '512', 512);
    c.field('spec.memory', 1024, undefined);
    c.field('spec.cpu', 256, 512, { destructive: 'why' });
    c.field('spec.image', undefined, 'web:2');
    expect(c.list).toEqual([
      { path: 'spec.cpu', live: 256, desired: 512, destructive: 'why' },
      { path: 'spec.image', live: null, desired: 'web:2' },
    ]);
  });

  it('compares lists AWS may reorder as sets, duplicates counted', () => {
    const c = new Changes();
    c.set('spec.subnets', ['b', 'a'], ['a', 'b']);
    c.set('spec.groups', ['a'], undefined);
    c.set('spec.subnets', ['a', 'a'], ['a']);
    c.set('spec.groups', undefined, ['sg-1']);
    c.set('spec.actions', [{ x: 1 }], [{ x: 2 }]);
    expect(c.list).toEqual([
      { path: 'spec.subnets', live: ['a', 'a'], desired: ['a'] },
      { path: 'spec.groups', live: null, desired: ['sg-1'] },
      { path: 'spec.actions', live: [{ x: 1 }], desired: [{ x: 2 }] },
    ]);
  });
});
