import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { COMPILED_VALIDATORS, compiledValidatorsSource } from '../../scripts/compile-validators.js';

describe('the precompiled validators', () => {
  // Manifests are checked by this file, not by the schemas: a schema changed without it would go unenforced.
  it('are what the schemas in src/schema compile to', async () => {
    const committed = await readFile(COMPILED_VALIDATORS, 'utf8');
    expect(committed === compiledValidatorsSource(), `${COMPILED_VALIDATORS} is stale: run \`npm run validators\` and commit it`).toBe(true);
  });
});
