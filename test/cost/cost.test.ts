import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { fixtureTable, OFFER_FIXTURES } from '../support/prices.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';
import { buildPriceTable } from '../../src/cost/generate.js';
import { readOffer } from '../../src/cost/offers.js';
import type { PriceTable } from '../../src/cost/table.js';

interface CostJson {
  region: string;
  prices: { source: string; offers: Record<string, { version: string }> };
  resources: { key: string; monthly: { low: number; high: number }; lines: { what: string }[] }[];
  total: { low: number; high: number };
  unpriced: string[];
}

describe('price tables from the AWS Price List', () => {
  it('takes on-demand prices of the region from offer files and GetProducts answers, and nothing else', async () => {
    const products = (await Promise.all(OFFER_FIXTURES.map(async (f) => readOffer(JSON.parse(await readFile(f, 'utf8')), f)))).flat();
    const table = buildPriceTable('us-east-1', products, 'fixtures', new Date('2026-11-27T00:00:00Z'));
    expect(table.fargate).toEqual({ X86_64: { vcpuHour: 0.04048, gbHour: 0.004445 }, ARM64: { vcpuHour: 0.03238, gbHour: 0.00356 } });
    expect(table.rds.instanceHour['postgres|db.r6g.large|Multi-AZ']).toBe(0.4);
    expect(table.rds.instanceHour['mysql|db.r6g.large|Multi-AZ']).toBe(0.38);
    // Another region's product and a licensed edition are not taken.
    expect(Object.values(table.rds.instanceHour)).not.toContain(9.99);
    expect(Object.values(table.rds.instanceHour)).not.toContain(1.9);
    expect(table.rds.storageGbMonth).toMatchObject({ 'gp3|Single-AZ': 0.1, 'gp3|Multi-AZ': 0.2, 'gp2|Single-AZ': 0.11 });
    expect(table.rds.iopsMonth).toEqual({ 'io1|Multi-AZ': 0.2 });
    // The dashboard price is the paid tier, not the account's free first three.
    expect(table.cloudwatch).toEqual({ alarmMetricMonth: 0.1, highResAlarmMetricMonth: 0.3, dashboardMonth: 3 });
    expect(table.offers.AmazonECS).toEqual({ version: '20221121182130', publicationDate: '2022-11-21T18:21:30Z' });
  });

  it('refuses to build a table for a region the offers do not cover', async () => {
    const products = (await Promise.all(OFFER_FIXTURES.map(async (f) => readOffer(JSON.parse(await readFile(f, 'utf8')), f)))).flat();
    expect(() => buildPriceTable('ap-south-2', products, 'fixtures')).toThrow(/no ap-south-2 prices found in AmazonECS, AmazonRDS, AmazonCloudWatch/);
  });

  it('refuses a file that is no price list', () => {
    expect(() => readOffer({ hello: 'world' }, 'notes.json')).toThrow(/notes.json: neither a Price List offer file nor a GetProducts answer/);
  });
});

describe('ballast cost', () => {
  it('prices desired-state/ per resource and in total, with the source of the prices', async () => {
    const prices = await fixtureTable();
    const table = JSON.parse(await readFile(prices, 'utf8')) as PriceTable;
    const run = await runCli(['cost', 'desired-state', '--prices', prices, '--region', 'us-east-1', '-o', 'json']);
    expect(run.code).toBe(0);
    const cost = run.json<CostJson>();
    const of = (key: string) => cost.resources.find((r) => r.key === key)!;

    // By hand: storefront runs 3..12 tasks of 0.5 vCPU and 1 GB, 730 hours a month.
    const task = (0.5 * 0.04048 + 1 * 0.004445) * 730;
    expect(of('EcsService/storefront').monthly).toEqual({ low: round(3 * task), high: round(12 * task) });
    expect(of('EcsService/storefront').monthly).toEqual({ low: 54.06, high: 216.24 });
    // By hand: shop-db is db.r6g.large Multi-AZ ($0.40/h in the fixture) with 100 GB gp3 Multi-AZ ($0.20/GB-month),
    // and 1..3 replicas, each db.r6g.large Single-AZ ($0.20/h) with its own 100 GB gp3 ($0.10/GB-month).
    const primary = 0.4 * 730 + 100 * 0.2;
    const replica = 0.2 * 730 + 100 * 0.1;
    expect(of('DbInstance/shop-db').monthly).toEqual({ low: round(primary + replica), high: round(primary + 3 * replica) });
    expect(of('Alarm/storefront-cpu-high').monthly).toEqual({ low: 0.1, high: 0.1 });
    expect(of('Dashboard/shop').monthly).toEqual({ low: 3, high: 3 });
    expect(cost.resources.map((r) => r.key)).not.toContain('ServiceAutoscaling/storefront');
    expect(cost.unpriced).toEqual(['RestoreDrill/shop-db-drill: the throw-away instance exists only while a drill runs']);
    const total = cost.resources.reduce((n, r) => n + r.monthly.low, 0);
    expect(cost.total.low).toBeCloseTo(total, 1);
    expect(cost.prices.offers.AmazonRDS?.version).toBe(table.offers.AmazonRDS?.version);

    const text = await runCli(['cost', 'desired-state', '--prices', prices, '--region', 'us-east-1']);
    expect(text.stdout).toContain('EcsService/storefront  $54.06..$216.24');
    expect(text.stdout).toContain('3..12 tasks (auto scaling min..max) × (0.5 vCPU + 1 GB), Fargate x86_64');
    expect(text.stdout).toMatch(/Prices: AWS Price List \(offer files AmazonECS-us-east-1\.get-products\.json, .*AmazonECS 2022-11-21, AmazonRDS 2026-11-01, AmazonCloudWatch 2026-11-01; generated \d{4}-\d\d-\d\d\), on-demand USD, us-east-1\./);
  });

  it('says how to add a region that has no price table', async () => {
    const run = await runCli(['cost', 'desired-state', '--region', 'eu-west-3']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error: no price table for eu-west-3: add one with `ballast prices update --region eu-west-3`');
    expect(run.stderr).toContain('--from AmazonECS.json AmazonRDS.json AmazonCloudWatch.json');
  });

  it('names the price a table lacks and how to get it', async () => {
    const prices = await fixtureTable();
    const dir = await copyDesiredState();
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'instanceClass'], 'db.x2g.large'));
    const run = await runCli(['cost', dir, '--prices', prices, '--region', 'us-east-1']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error: no price for RDS db.x2g.large postgres Multi-AZ in the us-east-1 table \(generated [-\d]+\): regenerate it with `ballast prices update --region us-east-1`/);
  });
});

const round = (n: number) => Math.round(n * 100) / 100;
