import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { loadRevision } from '../../src/validate/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { buildShopDb } from '../support/estate/db-instance.js';
import { runCli } from '../support/cli.js';

// Backups two hours behind: the latest restorable time is far outside shop-db-drill's 15-minute RPO budget.
// Backups two hours behind.
const moto = useMoto();
beforeEach(() => moto.setRdsFailures({ backupLagSeconds: 7200 }));

describe('ballast drill run over budget', () => {
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), (await loadRevision('desired-state')).manifests, { replicas: 0 });
  });

  it('exits 1 and says which budget the drill broke, after deleting the copy', async () => {
    const run = await runCli(['drill', 'run', 'shop-db-drill', '--poll-interval', '0.01']);

    expect(run.stdout.split('\n').slice(0, 2)).toEqual(['Restore drill shop-db-drill of shop-db: OVER BUDGET', expect.stringMatching(/^ {2}RPO 2\.0 h is over the 15 min budget$/)]);
    expect(run.code).toBe(1);
    const left = await moto.aws().rds.send(new DescribeDBInstancesCommand({}));
    expect(left.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['shop-db']);
  });
});
