import { beforeEach, describe, expect, it } from 'vitest';
import { CreateDBInstanceCommand, DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import type { Aws } from '../../src/aws/clients.js';
import type { DrillResult } from '../../src/drill/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { buildShopDb } from '../support/estate/db-instance.js';
import { runCli } from '../support/cli.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';

const moto = useMoto();
let aws: Aws;

beforeEach(async () => {
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  aws = moto.aws();
  await buildShopDb(aws, await createNetwork(aws), (await loadRevision('desired-state')).manifests, { replicas: 0 });
});

async function instanceIds(): Promise<string[]> {
  const out = await aws.rds.send(new DescribeDBInstancesCommand({}));
  return (out.DBInstances ?? []).map((i) => i.DBInstanceIdentifier ?? '').sort();
}

describe('ballast drill run', () => {
  it('runs the drill, prints RTO and RPO against their budgets, leaves no copy behind and exits 0', async () => {
    const run = await runCli(['drill', 'run', 'shop-db-drill']);

    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Restore drill shop-db-drill of shop-db: passed');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}RTO {7}\d+\.\d s \(budget 60 min\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}RPO {7}\d+\.\d s \(budget 15 min\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}instance {2}shop-db-drill-\d{12} \(db\.t4g\.medium\), deleted$/));
    expect(run.stderr).toMatch(/^restoring shop-db-drill-\d{12} \(db\.t4g\.medium\) from shop-db at its latest restorable time/m);
    expect(await instanceIds()).toEqual(['shop-db']);
  });

  it('prints the same result as one JSON document, after deleting a crashed drill\'s leftover', async () => {
    await aws.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: 'shop-db-drill-202601050500',
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.medium',
        AllocatedStorage: 20,
        MasterUsername: 'shop_admin',
        ManageMasterUserPassword: true,
        Tags: [
          { Key: 'ballast.dev/managed-by', Value: 'ballast' },
          { Key: 'ballast.dev/drill', Value: 'shop-db-drill' },
          { Key: 'ballast.dev/drill-deadline', Value: '2026-01-05T06:15:00.000Z' },
        ],
      }),
    );

    const run = await runCli(['drill', 'run', 'shop-db-drill', 'desired-state', '--output', 'json']);

    expect(run.code).toBe(0);
    const result = run.json<DrillResult>();
    expect(result).toMatchObject({ drill: 'shop-db-drill', db: 'shop-db', outcome: 'passed', drillInstance: { deleted: true } });
    expect(result.rtoSeconds).toEqual(expect.any(Number));
    expect(result.rpoSeconds).toEqual(expect.any(Number));
    expect(run.stderr).toContain('deleted leftover drill instance shop-db-drill-202601050500');
    expect(await instanceIds()).toEqual(['shop-db']);
  });

  it('exits 1 for a drill whose check fails, and still deletes the copy', async () => {
    const dir = await copyDesiredState();
    await editManifest(dir, 'RestoreDrill/shop-db-drill', setField(['spec', 'checks', 'custom'], [{ name: 'room', expect: { allocatedStorageAtLeastGiB: 500 } }]));
    const run = await runCli(['drill', 'run', 'shop-db-drill', dir, '--poll-interval', '0.01']);

    expect(run.stdout.split('\n').slice(0, 2)).toEqual(['Restore drill shop-db-drill of shop-db: FAILED', '  check room failed: storage 100 GiB (at least 500)']);
    expect(run.code).toBe(1);
    expect(await instanceIds()).toEqual(['shop-db']);
  });

  it('exits 1 naming the drills there are when the name is unknown', async () => {
    const run = await runCli(['drill', 'run', 'nope']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('no RestoreDrill "nope" in desired-state (there: shop-db-drill)\n');
  });
});
