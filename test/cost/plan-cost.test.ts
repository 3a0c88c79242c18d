import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { buildShopEstate } from '../support/estate/index.js';
import { runCli } from '../support/cli.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';
import { fixtureTable } from '../support/prices.js';

const moto = useMoto();

interface PlanJson {
  resources: { key: string; costDelta?: { monthly: { low: number; high: number }; why: string } }[];
  cost: { monthlyDelta: { low: number; high: number }; prices: string };
}

describe('the cost of a plan', () => {
  let prices: string;
  beforeAll(async () => {
    prices = await fixtureTable();
  });
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    const aws = moto.aws();
    await buildShopEstate(aws, await createNetwork(aws), (await loadRevision('desired-state')).manifests);
  });

  it('shows the monthly delta of a resize per resource and in total', async () => {
    const dir = await copyDesiredState();
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'instanceClass'], 'db.r6g.xlarge'));
    await editManifest(dir, 'EcsService/storefront', (m) => {
      setField(['spec', 'cpu'], 1024)(m);
      setField(['spec', 'memory'], 2048)(m);
    });
    const run = await runCli(['plan', dir, '--prices', prices, '-o', 'json']);
    expect(run.stderr).toBe('');
    const plan = run.json<PlanJson>();
    const delta = (key: string) => plan.resources.find((r) => r.key === key)?.costDelta;
    // By hand: db.r6g.large -> db.r6g.xlarge Multi-AZ is $0.40 -> $0.80 an hour in the fixture, 730 hours.
    expect(delta('DbInstance/shop-db')).toEqual({ monthly: { low: 292, high: 292 }, why: 'db.r6g.large postgres Multi-AZ -> db.r6g.xlarge postgres Multi-AZ' });
    // By hand: each task gains 0.5 vCPU and 1 GB: (0.5 × 0.04048 + 1 × 0.004445) × 730 = 18.02 a month, for 3..12 tasks.
    expect(delta('EcsService/storefront')?.monthly).toEqual({ low: 54.06, high: 216.24 });
    expect(plan.resources.filter((r) => r.costDelta).map((r) => r.key).sort()).toEqual(['DbInstance/shop-db', 'EcsService/storefront']);
    expect(plan.cost.monthlyDelta).toEqual({ low: 346.06, high: 508.24 });

    const text = await runCli(['plan', dir, '--prices', prices]);
    expect(text.stdout).toContain('      cost: + $292.00/month (db.r6g.large postgres Multi-AZ -> db.r6g.xlarge postgres Multi-AZ)');
    expect(text.stdout).toContain('Cost: + $346.06..$508.24/month in total. Prices: AWS Price List');
  });

  it('shows a scaling bound change on the ServiceAutoscaling that makes it', async () => {
    const dir = await copyDesiredState();
    await editManifest(dir, 'ServiceAutoscaling/worker', setField(['spec', 'maxTasks'], 6));
    const plan = (await runCli(['plan', dir, '--prices', prices, '-o', 'json'])).json<PlanJson>();
    const worker = plan.resources.find((r) => r.key === 'ServiceAutoscaling/worker')?.costDelta;
    // worker: 0.25 vCPU + 0.5 GB a task; the most tasks go 4 -> 6, the fewest stay 1.
    const task = (0.25 * 0.04048 + 0.5 * 0.004445) * 730;
    expect(worker?.monthly).toEqual({ low: 0, high: Math.round(2 * task * 100) / 100 });
  });

  it('plans without figures when the region has no price table, and says why', async () => {
    const run = await runCli(['plan', 'desired-state', '--prices', 'no-such-table.json']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Cost: not shown (no price table for us-east-1 at no-such-table.json: add one with `ballast prices update --region us-east-1`');
  });
});
