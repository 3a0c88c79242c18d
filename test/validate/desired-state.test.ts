import { describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';

describe('desired-state/', () => {
  it('is a valid revision with every kind of the shop estate', async () => {
    const revision = await loadRevision('desired-state');
    expect(revision.problems).toEqual([]);
    const kinds = revision.manifests.map((m) => `${m.kind}/${m.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'EcsService/storefront',
        'EcsService/checkout',
        'EcsService/catalog',
        'EcsService/worker',
        'ServiceAutoscaling/storefront',
        'DbInstance/shop-db',
        'Alarm/shop-db-replica-lag',
        'Dashboard/shop',
      ]),
    );
  });
});
