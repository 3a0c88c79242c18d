import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import type { Aws } from '../../src/aws/clients.js';
import { runDrill, type DrillResult } from '../../src/drill/index.js';
import type { DbInstance, RestoreDrill } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { buildShopDb } from '../support/estate/db-instance.js';
import { runCli } from '../support/cli.js';

// AWS throttles the first read of each restored copy.
const moto = useMoto();
beforeEach(() => moto.setRdsFailures({ failReadAfterRestore: true }));

describe('a restore drill that meets an AWS error after the restore started', () => {
  let aws: Aws;
  let source: DbInstance;
  let drill: RestoreDrill;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    aws = moto.aws();
    const manifests = (await loadRevision('desired-state')).manifests;
    await buildShopDb(aws, await createNetwork(aws), manifests, { replicas: 0 });
    source = manifests.find((m): m is DbInstance => m.kind === 'DbInstance' && m.metadata.name === 'shop-db')!;
    drill = manifests.find((m): m is RestoreDrill => m.kind === 'RestoreDrill')!;
  });

  const instanceIds = async () => ((await aws.rds.send(new DescribeDBInstancesCommand({}))).DBInstances ?? []).map((i) => i.DBInstanceIdentifier);

  it('reports the error and still deletes the copy', async () => {
    // One attempt per call (moto.aws()): the failed read is not retried.
    const result = await runDrill(drill, source, { aws, controllerId: 'ballast', runner: 'cli' as const, pollIntervalMs: 10 });

    expect(result).toMatchObject({ outcome: 'error', reason: 'Throttling: Rate exceeded' });
    expect(result.drillInstance).toMatchObject({ deleted: true });
    expect(await instanceIds()).toEqual(['shop-db']);
  });

  it('drill run exits 1 on it with --max-attempts 1, and rides it out with the SDK default of 3 attempts', async () => {
    const once = await runCli(['drill', 'run', 'shop-db-drill', '--output', 'json', '--poll-interval', '0.01', '--max-attempts', '1']);
    expect(once.code).toBe(1);
    expect(once.json<DrillResult>()).toMatchObject({ outcome: 'error', drillInstance: { deleted: true } });
    expect(await instanceIds()).toEqual(['shop-db']);

    const retried = await runCli(['drill', 'run', 'shop-db-drill', '--output', 'json', '--poll-interval', '0.01']);
    expect(retried.json<DrillResult>()).toMatchObject({ outcome: 'passed', drillInstance: { deleted: true } });
    expect(retried.code).toBe(0);
  });
});
