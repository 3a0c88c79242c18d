import { describe, expect, it } from 'vitest';
import { chunks } from '../../src/aws/batch.js';

describe('chunks', () => {
  it('splits a list into calls of at most the API limit, in order, with the remainder last', () => {
    const ids = Array.from({ length: 120 }, (_, i) => `db-${i}`);
    const batches = chunks(ids, 50);
    expect(batches.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(batches.flat()).toEqual(ids);
    expect(chunks(ids.slice(0, 100), 100)).toEqual([ids.slice(0, 100)]);
  });

  it('makes no batch (so no call) for an empty list', () => {
    expect(chunks([], 50)).toEqual([]);
  });
});
