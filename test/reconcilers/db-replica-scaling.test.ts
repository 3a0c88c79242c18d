import { beforeAll, describe, expect, it } from 'vitest';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { AddTagsToResourceCommand } from '@aws-sdk/client-rds';
import type { Aws } from '../../src/aws/clients.js';
import type { DbInstance, Manifest } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { createSession } from '../../src/observe/context.js';
import { observeContext } from '../support/context.js';
import { sendCall } from '../../src/apply/send.js';
import { dbInstance, type LiveDbInstance } from '../../src/reconcilers/db-instance/index.js';
import { REPLICAS_TAG, SCALED_IN_TAG, SCALED_OUT_TAG } from '../../src/reconcilers/db-instance/replica-scaling.js';
import { asKeyValue, ownershipTags } from '../../src/engine/tags.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { buildShopDb } from '../support/estate/db-instance.js';

const moto = useMoto();
let desired: Manifest[];
let shopDb: DbInstance;

beforeAll(async () => {
  desired = (await loadRevision('desired-state')).manifests;
  shopDb = desired.find((x): x is DbInstance => x.kind === 'DbInstance' && x.metadata.name === 'shop-db')!;
});

/** CPU samples for one instance, 20 s apart, the newest 20 s ago: all inside shop-db's 600 s window. */
async function putCpu(aws: Aws, instance: string, values: number[]) {
  await aws.cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: values.map((Value, i) => ({
        MetricName: 'CPUUtilization',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: instance }],
        Timestamp: new Date(Date.now() - (i + 1) * 20_000),
        Value,
      })),
    }),
  );
}

async function observe(aws: Aws): Promise<LiveDbInstance> {
  const ctx = await observeContext(createSession(aws, { controllerId: 'ballast' }), desired, ['rds:db']);
  const o = (await dbInstance.observe([shopDb], ctx)).get('shop-db');
  if (o?.state !== 'found') throw new Error(`shop-db is ${JSON.stringify(o)}`);
  return o.live;
}

/** One reconcile of shop-db as desired-state/ states it: observe, diff, steps, then send exactly those calls. */
async function reconcile(aws: Aws) {
  const ctx = await observeContext(createSession(aws, { controllerId: 'ballast' }), desired, ['rds:db']);
  const o = (await dbInstance.observe([shopDb], ctx)).get('shop-db');
  if (o?.state !== 'found') throw new Error(`shop-db is ${JSON.stringify(o)}`);
  const changes = dbInstance.diff(shopDb, o.live, ctx);
  const steps = dbInstance.steps(shopDb, o.live, changes, ctx);
  aws.counter.reset();
  for (const call of steps.flatMap((s) => s.calls)) await sendCall(aws, call);
  return { live: o.live, decision: o.live.replicaDecision!, changes, steps, writes: aws.counter.writes().map((c) => [c.operation, c.input]) };
}

const replicaNames = (live: LiveDbInstance) => live.replicas.map((r) => r.identifier).sort();

/** Moves a cooldown tag back in time, as if the last scaling had happened that long ago. */
async function backdate(aws: Aws, arn: string, tag: string, seconds: number) {
  const Value = new Date(Date.now() - seconds * 1000).toISOString();
  await aws.rds.send(new AddTagsToResourceCommand({ ResourceName: arn, Tags: [{ Key: tag, Value }] }));
}

describe('read replicas that follow replica CPU (shop-db: 1..3 at 60%, cooldowns 300 s out, 1800 s in)', () => {
  it('scales out to max under high CPU, holds inside the cooldowns, and scales in to min newest first', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired, { replicas: 1 });
    await putCpu(aws, 'shop-db-replica-1', [90, 90, 90]);
    // Sent again with the stamp: Ballast's IAM policy allows RDS tagging only in requests carrying its ownership tag.
    const owner = asKeyValue(ownershipTags('ballast', shopDb));

    // High CPU: one more replica, and the scale-out time on the primary in the same step.
    const out1 = await reconcile(aws);
    expect(out1.decision).toEqual({ desired: 2, metricValue: 90, reason: 'CPUUtilization 90 vs target 60: 1 -> 2' });
    expect(out1.changes).toEqual([
      { path: 'spec.readReplicas.count', live: 1, desired: 2, scaling: true, reason: 'CPUUtilization 90 vs target 60: 1 -> 2' },
    ]);
    expect(out1.writes).toEqual([
      ['CreateDBInstanceReadReplica', expect.objectContaining({ DBInstanceIdentifier: 'shop-db-replica-2', SourceDBInstanceIdentifier: 'shop-db' })],
      ['AddTagsToResource', { ResourceName: out1.live.arn, Tags: [...owner, { Key: REPLICAS_TAG, Value: '2' }, { Key: SCALED_OUT_TAG, Value: out1.live.observedAt }] }],
    ]);
    expect(out1.steps.map((s) => s.summary)).toEqual(['create read replica shop-db-replica-2 (db.r6g.large); CPUUtilization 90 vs target 60: 1 -> 2']);

    // Still high (the new replica has no data yet), but inside the scale-out cooldown: nothing is written.
    const held = await reconcile(aws);
    expect(held.decision.desired).toBe(2);
    expect(held.decision.reason).toMatch(/^CPUUtilization 90 vs target 60: wants 2 -> 3, held by the scale-out cooldown \(300s; last scaling \d+s ago\)$/);
    expect(held.changes).toEqual([]);
    expect(held.writes).toEqual([]);

    // Five minutes later (the tag moved back): up to max.
    await backdate(aws, out1.live.arn, SCALED_OUT_TAG, 301);
    const out2 = await reconcile(aws);
    expect(out2.decision).toEqual({ desired: 3, metricValue: 90, reason: 'CPUUtilization 90 vs target 60: 2 -> 3' });
    expect(out2.writes.map(([op]) => op)).toEqual(['CreateDBInstanceReadReplica', 'AddTagsToResource']);
    const atMax = await observe(aws);
    expect(replicaNames(atMax)).toEqual(['shop-db-replica-1', 'shop-db-replica-2', 'shop-db-replica-3']);
    expect(atMax.tags[SCALED_OUT_TAG]).toBe(out2.live.observedAt);

    // Never above max, whatever the cooldown says.
    await backdate(aws, out1.live.arn, SCALED_OUT_TAG, 3600);
    const capped = await reconcile(aws);
    expect(capped.decision.reason).toBe('CPUUtilization 90 vs target 60: holding 3 (5 capped at max 3)');
    expect(capped.writes).toEqual([]);

    // Traffic falls: ten samples at 5% on every replica bring the window's average down.
    await putCpu(aws, 'shop-db-replica-1', Array(10).fill(5));
    await putCpu(aws, 'shop-db-replica-2', Array(10).fill(5));
    await putCpu(aws, 'shop-db-replica-3', Array(10).fill(5));
    await backdate(aws, out1.live.arn, SCALED_OUT_TAG, 60);
    const inCooldown = await reconcile(aws);
    expect(inCooldown.decision.desired).toBe(3);
    // The scaling was 60 s ago when the tag was written: a slow machine may add seconds, never take them away.
    const ago = /^CPUUtilization 11.5 vs target 60: wants 3 -> 1, held by the scale-in cooldown \(1800s; last scaling (\d+)s ago\)$/.exec(inCooldown.decision.reason);
    expect(Number(ago?.[1])).toBeGreaterThanOrEqual(60);
    expect(Number(ago?.[1])).toBeLessThan(1800);
    expect(inCooldown.writes).toEqual([]);

    // Half an hour after the last scaling: down to min, highest index first, and the scale-in time recorded once.
    await backdate(aws, out1.live.arn, SCALED_OUT_TAG, 1801);
    const scaledIn = await reconcile(aws);
    expect(scaledIn.decision).toEqual({ desired: 1, metricValue: expect.closeTo(11.54, 2), reason: 'CPUUtilization 11.5 vs target 60: 3 -> 1' });
    const stamp = { ResourceName: out1.live.arn, Tags: [...owner, { Key: REPLICAS_TAG, Value: '1' }, { Key: SCALED_IN_TAG, Value: scaledIn.live.observedAt }] };
    expect(scaledIn.writes).toEqual([
      ['DeleteDBInstance', { DBInstanceIdentifier: 'shop-db-replica-3', SkipFinalSnapshot: true }],
      ['DeleteDBInstance', { DBInstanceIdentifier: 'shop-db-replica-2', SkipFinalSnapshot: true }],
      ['AddTagsToResource', stamp],
    ]);
    expect(scaledIn.steps.map((s) => s.summary)).toEqual([
      'delete read replica shop-db-replica-3; CPUUtilization 11.5 vs target 60: 3 -> 1',
      'delete read replica shop-db-replica-2; CPUUtilization 11.5 vs target 60: 3 -> 1',
    ]);

    // Never below min: the one replica left stays.
    const atMin = await reconcile(aws);
    expect(replicaNames(atMin.live)).toEqual(['shop-db-replica-1']);
    expect(atMin.live.tags[SCALED_IN_TAG]).toBe(scaledIn.live.observedAt);
    expect(atMin.decision).toMatchObject({ desired: 1 });
    expect(atMin.writes).toEqual([]);
  });

  it('reads the metric of all traffic-following DBs with one GetMetricData, and holds when there is no data', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired, { replicas: 2 });
    const others = Array.from({ length: 3 }, (_, i) => ({ ...structuredClone(shopDb), metadata: { name: `orders-${i + 1}` } }));
    const ctx = await observeContext(createSession(aws, { controllerId: 'ballast' }), desired, ['rds:db']);
    aws.counter.reset();
    const observed = await dbInstance.observe([shopDb, ...others], ctx);
    const reads = aws.counter.calls.filter((c) => c.service === 'cloudwatch');
    expect(reads.map((c) => c.operation)).toEqual(['GetMetricData']);
    // Only the DB that exists has replicas to ask about: one query per owned replica.
    const queries = (reads[0]!.input as { MetricDataQueries: { MetricStat: { Metric: { Dimensions: { Value: string }[] } } }[] }).MetricDataQueries;
    expect(queries.map((q) => q.MetricStat.Metric.Dimensions[0]!.Value)).toEqual(['shop-db-replica-1', 'shop-db-replica-2']);
    const o = observed.get('shop-db');
    expect(o).toMatchObject({ state: 'found', live: { replicaDecision: { desired: 2, metricValue: undefined, reason: 'no CPUUtilization data over the window: holding 2' } } });
    if (o?.state === 'found') expect(dbInstance.diff(shopDb, o.live, ctx)).toEqual([]);
  });
});
