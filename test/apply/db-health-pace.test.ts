import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadRevision } from '../../src/validate/index.js';
import { createSession } from '../../src/observe/context.js';
import { observeAndPlan } from '../../src/engine/pipeline.js';
import { applyPlan, DEFAULT_TIMEOUTS } from '../../src/apply/index.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { dbInstanceSpec } from '../../bench/estate/generate.js';
import { useMoto } from '../support/moto.js';
import { tempDir } from '../support/temp.js';

const moto = useMoto();

/** Creates `dbs` DB instances from empty, polling health every `pollIntervalMs`; answers the health reads and the wall time. */
async function createDbs(dbs: number, pollIntervalMs: number) {
  const aws = moto.aws();
  await createNetwork(aws);
  const dir = await tempDir('dbs');
  // dbInstanceSpec(1) and on: passwords managed by RDS, no replica.
  const docs = Array.from({ length: dbs }, (_, i) => ({ apiVersion: 'ballast.dev/v1alpha1', kind: 'DbInstance', metadata: { name: `db-${i + 1}` }, spec: dbInstanceSpec(i + 1) }));
  await writeFile(path.join(dir, 'dbs.yaml'), docs.map((d) => stringify(d)).join('---\n'));
  const revision = await loadRevision(dir);
  expect(revision.problems).toEqual([]);
  const { plan, observed } = await observeAndPlan(revision.manifests, createSession(aws, { controllerId: 'ballast' }), RECONCILERS, { defaultMode: 'enforce', prune: false });
  aws.counter.reset();
  const started = Date.now();
  const result = await applyPlan(plan, revision.manifests, observed.ctx, RECONCILERS, { timeouts: DEFAULT_TIMEOUTS, pollIntervalMs });
  const wallMs = Date.now() - started;
  expect(result.actions.filter((a) => a.state !== 'done')).toEqual([]);
  expect(result.health.every((h) => h.steady)).toBe(true);
  return { reads: aws.counter.reads().filter((c) => c.operation === 'DescribeDBInstances').length, wallMs };
}

describe('the health wait of DB instances', () => {
  it('reads the DBs created one after another together, on the poll beats, not once after each create', async () => {
    const { reads, wallMs } = await createDbs(10, 1000);
    // Ten creates finish at ten moments; their waits share one read a beat (was one read per create, or nearly).
    expect(reads).toBeLessThanOrEqual(Math.ceil(wallMs / 1000));
    expect(reads).toBeLessThan(10);
  });

  it('reads a DB that is still creating less and less often', async () => {
    await moto.setRdsCreationSeconds(2);
    const { reads, wallMs } = await createDbs(1, 50);
    expect(wallMs).toBeGreaterThan(2000);
    // Reads 1, 2, 4, 8, ... beats apart: about 7 in 2 s of creation, where every 50 ms would be 40.
    expect(reads).toBeLessThanOrEqual(9);
  });
});
