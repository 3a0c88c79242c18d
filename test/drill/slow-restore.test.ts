import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import type { Aws } from '../../src/aws/clients.js';
import { runDrill } from '../../src/drill/index.js';
import type { DbInstance, RestoreDrill } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { buildShopDb } from '../support/estate/db-instance.js';

// A restore that never finishes: the copy stays "creating".
const moto = useMoto({ EMULATOR_RDS_RESTORED_STATUS: 'creating' });

describe('a restore drill whose copy never becomes available', () => {
  let aws: Aws;
  let source: DbInstance;
  let drill: RestoreDrill;
  beforeEach(async () => {
    aws = moto.aws();
    const manifests = (await loadRevision('desired-state')).manifests;
    await buildShopDb(aws, await createNetwork(aws), manifests, { replicas: 0 });
    source = manifests.find((m): m is DbInstance => m.kind === 'DbInstance' && m.metadata.name === 'shop-db')!;
    drill = manifests.find((m): m is RestoreDrill => m.kind === 'RestoreDrill')!;
  });

  it('gives up at its timeout, fails, and still deletes the copy', async () => {
    // The drill's clock: the start, the first read of the copy, then every later reading past the 90-minute timeout.
    const start = Date.now();
    let readings = 0;
    const now = () => new Date(start + (readings++ < 2 ? 0 : 91 * 60_000));

    const result = await runDrill(drill, source, { aws, controllerId: 'ballast', runner: 'cli' as const, pollIntervalMs: 10, now });

    expect(result).toMatchObject({ outcome: 'failed', reason: 'not available after 90 min (status "creating")', rtoSeconds: null });
    expect(result.drillInstance).toMatchObject({ identifier: expect.stringMatching(/^shop-db-drill-\d{12}$/), deleted: true });
    const left = await aws.rds.send(new DescribeDBInstancesCommand({}));
    expect(left.DBInstances?.map((i) => i.DBInstanceIdentifier)).toEqual(['shop-db']);
  });
});
