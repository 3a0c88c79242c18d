import { describe, expect, it } from 'vitest';
import { elapsed } from '../../src/cli/apply-progress.js';

describe('elapsed time in apply progress', () => {
  it('reads like Terraform: seconds, then minutes and seconds, then hours', () => {
    expect([0, 45_900, 60_000, 61_000, 3_723_000].map(elapsed)).toEqual(['0s', '45s', '1m0s', '1m1s', '1h2m3s']);
  });
});
