import { beforeEach, describe, expect, it } from 'vitest';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import type { Aws } from '../../src/aws/clients.js';
import { loadRevision } from '../../src/validate/index.js';
import { SCALED_OUT_TAG } from '../../src/reconcilers/db-instance/replica-scaling.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { buildShopEstate } from '../support/estate/index.js';
import { runCli } from '../support/cli.js';

const moto = useMoto();

interface PlanJson {
  resources: { key: string; status: string; changes: Record<string, unknown>[] }[];
}

const changesOf = (run: { json: <T>() => T }) => run.json<PlanJson>().resources.flatMap((r) => r.changes.map((c) => ({ key: r.key, ...c })));

describe('ballast plan, drift and apply when shop-db replica CPU is high', () => {
  let aws: Aws;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    aws = moto.aws();
    await buildShopEstate(aws, await createNetwork(aws), (await loadRevision('desired-state')).manifests);
    await aws.cloudwatch.send(
      new PutMetricDataCommand({
        Namespace: 'AWS/RDS',
        MetricData: [30, 60, 90].map((seconds) => ({
          MetricName: 'CPUUtilization',
          Dimensions: [{ Name: 'DBInstanceIdentifier', Value: 'shop-db-replica-1' }],
          Timestamp: new Date(Date.now() - seconds * 1000),
          Value: 90,
        })),
      }),
    );
  });

  it('plans the scaling with its reason (exit 2), yet drift finds nothing (exit 0)', async () => {
    const plan = await runCli(['plan', 'desired-state', '--detailed-exitcode', '--output', 'json']);
    expect(changesOf(plan)).toEqual([
      {
        key: 'DbInstance/shop-db',
        path: 'spec.readReplicas.count',
        live: 1,
        desired: 2,
        scaling: true,
        reason: 'CPUUtilization 90 vs target 60: 1 -> 2',
      },
    ]);
    expect(plan.code).toBe(2);

    const text = await runCli(['plan', 'desired-state']);
    expect(text.stdout).toContain('spec.readReplicas.count: 1 -> 2 (scaling: CPUUtilization 90 vs target 60: 1 -> 2)');

    const drift = await runCli(['drift', 'desired-state']);
    expect(drift.stdout).toContain('No drift');
    expect(drift.code).toBe(0);
  });

  it('apply adds the replica and starts the cooldown; the next plan holds and has nothing to do', async () => {
    const apply = await runCli(['apply', 'desired-state', '--yes', '--output', 'json', '--poll-interval', '0.05']);
    expect(apply.code).toBe(0);
    const primary = (await aws.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db' }))).DBInstances![0]!;
    expect(primary.ReadReplicaDBInstanceIdentifiers?.sort()).toEqual(['shop-db-replica-1', 'shop-db-replica-2']);
    expect(primary.TagList?.find((t) => t.Key === SCALED_OUT_TAG)?.Value).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));

    const again = await runCli(['plan', 'desired-state', '--detailed-exitcode', '--output', 'json']);
    expect(changesOf(again)).toEqual([]);
    expect(again.code).toBe(0);
  });
});
