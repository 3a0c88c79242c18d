import { beforeAll, describe, expect, it } from 'vitest';
import { ListTagsForResourceCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTargetGroupCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import type { Aws } from '../../src/aws/clients.js';
import { API_VERSION, type Alarm, type Manifest } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { createSession } from '../../src/observe/context.js';
import { observeContext } from '../support/context.js';
import { sendCall } from '../../src/apply/send.js';
import { ResourceFailure, type ObserveContext } from '../../src/engine/types.js';
import { MANAGED_BY_TAG } from '../../src/engine/tags.js';
import { alarm, type LiveAlarm } from '../../src/reconcilers/alarm/index.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { createShopAlarms, shopAlarmInput } from '../support/estate/alarm.js';

const moto = useMoto();
let desired: Manifest[];

beforeAll(async () => {
  desired = (await loadRevision('desired-state')).manifests;
});

const alarmsOf = (manifests: Manifest[]) => manifests.filter((m): m is Alarm => m.kind === 'Alarm');
const named = (manifests: Manifest[], name: string) => alarmsOf(manifests).find((m) => m.metadata.name === name)!;

async function observe(aws: Aws, manifests = desired) {
  const ctx = await observeContext(createSession(aws, { controllerId: 'ballast' }), manifests, ['cloudwatch:alarm']);
  return { ctx, observed: await alarm.observe(alarmsOf(manifests), ctx) };
}

function liveOf(observed: Awaited<ReturnType<typeof observe>>['observed'], name: string): LiveAlarm {
  const o = observed.get(name);
  if (o?.state !== 'found') throw new Error(`${name} is ${JSON.stringify(o)}`);
  return o.live;
}

/** Changes per alarm name, for every alarm of the manifests. */
async function changesOf(aws: Aws, manifests = desired) {
  const { ctx, observed } = await observe(aws, manifests);
  return Object.fromEntries(alarmsOf(manifests).map((m) => [m.metadata.name, alarm.diff(m, liveOf(observed, m.metadata.name), ctx)]));
}

async function apply(aws: Aws, ctx: ObserveContext, manifests: Alarm[], observed: Awaited<ReturnType<typeof observe>>['observed']) {
  for (const m of manifests) {
    const o = observed.get(m.metadata.name)!;
    const live = o.state === 'found' ? o.live : undefined;
    const steps = alarm.steps(m, live, live ? alarm.diff(m, live, ctx) : [], ctx);
    for (const call of steps.flatMap((s) => s.calls)) await sendCall(aws, call);
  }
}

function alarmManifest(name: string, spec: Alarm['spec']): Alarm {
  return { apiVersion: API_VERSION, kind: 'Alarm', metadata: { name }, spec };
}

describe('Alarm reconciler', () => {
  it('sees no change on alarms built by hand to match desired-state/', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    await createShopAlarms(aws, net, desired);
    const { ctx, observed } = await observe(aws);
    const names = alarmsOf(desired).map((m) => m.metadata.name);
    expect(names.length).toBeGreaterThan(10);
    for (const m of alarmsOf(desired)) {
      const o = observed.get(m.metadata.name);
      expect(o, m.metadata.name).toMatchObject({ state: 'found', owned: true });
      expect(alarm.diff(m, liveOf(observed, m.metadata.name), ctx), m.metadata.name).toEqual([]);
    }
  });

  it('reports a threshold changed out of band as exactly that field', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    await createShopAlarms(aws, net, desired);
    await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...shopAlarmInput(named(desired, 'storefront-cpu-high'), net), Threshold: 95 }));
    const changes = await changesOf(aws);
    expect(changes['storefront-cpu-high']).toEqual([{ path: 'spec.threshold', live: 95, desired: 85 }]);
    expect(Object.values(changes).flat()).toHaveLength(1);
  });

  it('ignores the order of actions and dimensions, and datapoints equal to the evaluation periods', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    const pager = (await aws.sns.send(new CreateTopicCommand({ Name: 'shop-pager' }))).TopicArn!;
    const cpu = named(desired, 'storefront-cpu-high');
    const paged = alarmManifest('storefront-cpu-paged', { ...cpu.spec, actions: { alarm: ['shop-alerts', 'shop-pager'] } });
    const storage = named(desired, 'shop-db-free-storage-low');
    const manifests = [...desired.filter((m) => m.kind !== 'Alarm'), paged, storage];

    const input = shopAlarmInput(cpu, net);
    await aws.cloudwatch.send(
      new PutMetricAlarmCommand({
        ...input,
        AlarmName: 'storefront-cpu-paged',
        AlarmActions: [pager, net.topicArn],
        OKActions: [],
        Dimensions: [...input.Dimensions!].reverse(),
      }),
    );
    // Unstated in the manifest; AWS may still echo it as equal to EvaluationPeriods.
    expect(storage.spec.datapointsToAlarm).toBeUndefined();
    await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...shopAlarmInput(storage, net), DatapointsToAlarm: storage.spec.evaluationPeriods }));

    const { ctx, observed } = await observe(aws, manifests);
    const live = liveOf(observed, 'storefront-cpu-paged');
    // The premise: AWS returns them in the other order.
    expect(live.actions.alarm).toEqual([pager, net.topicArn]);
    expect(Object.keys(live.metric!.dimensions)).toEqual(['ServiceName', 'ClusterName']);
    expect(alarm.diff(paged, live, ctx)).toEqual([]);
    expect(alarm.diff(storage, liveOf(observed, storage.metadata.name), ctx)).toEqual([]);
  });

  it('creates every alarm of desired-state/ on an empty estate, tagged, and then sees no change', async () => {
    const aws = moto.aws();
    await createNetwork(aws);
    const { ctx, observed } = await observe(aws);
    expect([...observed.values()].every((o) => o.state === 'missing')).toBe(true);
    await apply(aws, ctx, alarmsOf(desired), observed);

    const again = await observe(aws);
    for (const m of alarmsOf(desired)) {
      expect(again.observed.get(m.metadata.name), m.metadata.name).toMatchObject({ state: 'found', owned: true });
      expect(alarm.diff(m, liveOf(again.observed, m.metadata.name), again.ctx), m.metadata.name).toEqual([]);
    }
    const arn = liveOf(again.observed, 'shop-db-replica-lag').arn;
    const tags = (await aws.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: arn }))).Tags;
    expect(tags).toEqual(expect.arrayContaining([{ Key: MANAGED_BY_TAG, Value: 'ballast' }, { Key: 'ballast.dev/manifest', Value: 'Alarm/shop-db-replica-lag' }]));
  });

  it('fixes a threshold drift with one PutMetricAlarm carrying the whole alarm, keeping its tags', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    await createShopAlarms(aws, net, desired);
    const cpu = named(desired, 'storefront-cpu-high');
    await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...shopAlarmInput(cpu, net), Threshold: 95 }));

    const { ctx, observed } = await observe(aws);
    const live = liveOf(observed, cpu.metadata.name);
    const steps = alarm.steps(cpu, live, alarm.diff(cpu, live, ctx), ctx);
    expect(steps.flatMap((s) => s.calls)).toEqual([{ service: 'cloudwatch', operation: 'PutMetricAlarm', input: shopAlarmInput(cpu, net) }]);

    aws.counter.reset();
    await sendCall(aws, steps[0]!.calls[0]!);
    expect(aws.counter.writes().map((c) => c.operation)).toEqual(['PutMetricAlarm']);
    expect((await changesOf(aws))[cpu.metadata.name]).toEqual([]);
    const tags = (await aws.cloudwatch.send(new ListTagsForResourceCommand({ ResourceARN: live.arn }))).Tags;
    expect(tags).toContainEqual({ Key: MANAGED_BY_TAG, Value: 'ballast' });
  });

  it('creates a metric math alarm whose expression alone returns data, and sees no change after', async () => {
    const aws = moto.aws();
    await createNetwork(aws);
    const math = alarmManifest('storefront-error-rate', {
      expression: '100 * errors / requests',
      metrics: {
        errors: { namespace: 'Shop', name: 'Errors', dimensions: { Service: 'storefront' }, statistic: 'Sum', period: 60 },
        requests: { namespace: 'Shop', name: 'Requests', dimensionsFrom: { ecsService: 'storefront' }, statistic: 'p99', period: 60 },
      },
      evaluationPeriods: 3,
      threshold: 5,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'missing',
    });
    const p99 = alarmManifest('storefront-latency', {
      metric: { namespace: 'Shop', name: 'Latency', dimensionsFrom: { ecsService: 'storefront' }, statistic: 'p99', period: 60 },
      evaluationPeriods: 3,
      threshold: 0.5,
      comparison: 'GreaterThanThreshold',
      treatMissingData: 'missing',
    });
    const manifests = [...desired.filter((m) => m.kind !== 'Alarm'), math, p99];
    const { ctx, observed } = await observe(aws, manifests);
    const [create] = alarm.steps(math, undefined, [], ctx);
    const queries = create!.calls[0]!.input.Metrics as { Id: string; ReturnData: boolean }[];
    expect(queries.filter((q) => q.ReturnData).map((q) => q.Id)).toEqual(['expression']);
    expect(alarm.steps(p99, undefined, [], ctx)[0]!.calls[0]!.input).toMatchObject({ ExtendedStatistic: 'p99' });
    await apply(aws, ctx, [math, p99], observed);

    expect(await changesOf(aws, manifests)).toEqual({ 'storefront-error-rate': [], 'storefront-latency': [] });
    const edited = queries.map((q) => (q.ReturnData ? { ...q, Expression: '100 * errors / requests / 2' } : q));
    await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...create!.calls[0]!.input, AlarmName: math.metadata.name, Metrics: edited }));
    expect((await changesOf(aws, manifests))['storefront-error-rate']).toEqual([
      { path: 'spec.expression', live: '100 * errors / requests / 2', desired: '100 * errors / requests' },
    ]);
  });

  it('fails the alarm, not the reconcile, when the target group has no load balancer', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    await aws.elbv2.send(new CreateTargetGroupCommand({ Name: 'shop-orphan', Protocol: 'TCP', Port: 8080, VpcId: net.vpcId, TargetType: 'ip' }));
    const manifests = desired.map((m) =>
      m.kind === 'EcsService' && m.metadata.name === 'storefront'
        ? { ...m, spec: { ...m.spec, loadBalancer: { ...m.spec.loadBalancer!, targetGroup: 'shop-orphan' } } }
        : m,
    );
    const { ctx } = await observe(aws, manifests);
    const resets = named(manifests, 'storefront-tcp-resets');
    expect(() => alarm.steps(resets, undefined, [], ctx)).toThrow(ResourceFailure);
    expect(() => alarm.steps(resets, undefined, [], ctx)).toThrow(/shop-orphan.*not attached to a load balancer/);
    expect(alarm.steps(named(manifests, 'storefront-cpu-high'), undefined, [], ctx)).toHaveLength(1);
  });

  it('adopts an untagged alarm by tagging it, and prunes an owned one by name', async () => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    const cpu = named(desired, 'storefront-cpu-high');
    await aws.cloudwatch.send(new PutMetricAlarmCommand(shopAlarmInput(cpu, net)));
    const { ctx, observed } = await observe(aws);
    expect(observed.get(cpu.metadata.name)).toMatchObject({ state: 'found', owned: false });
    const live = liveOf(observed, cpu.metadata.name);
    for (const call of alarm.adoptCalls!(cpu, live, ctx)) await sendCall(aws, call);
    expect((await observe(aws)).observed.get(cpu.metadata.name)).toMatchObject({ state: 'found', owned: true });

    expect(alarm.nameOf!(live.arn)).toBe(cpu.metadata.name);
    for (const call of alarm.deleteSteps!(cpu.metadata.name, live.arn).flatMap((s) => s.calls)) await sendCall(aws, call);
    expect((await observe(aws)).observed.get(cpu.metadata.name)).toEqual({ state: 'missing' });
  });

  it('reads 120 alarms with exactly two DescribeAlarms calls', async () => {
    const aws = moto.aws();
    const manifests = Array.from({ length: 120 }, (_, i) =>
      alarmManifest(`alarm-${String(i).padStart(3, '0')}`, {
        metric: { namespace: 'Shop', name: 'Orders', dimensions: { Shard: String(i) }, statistic: 'Sum', period: 60 },
        evaluationPeriods: 1,
        threshold: i,
        comparison: 'LessThanThreshold',
        treatMissingData: 'missing',
      }),
    );
    for (const m of manifests) {
      await aws.cloudwatch.send(
        new PutMetricAlarmCommand({
          AlarmName: m.metadata.name,
          Namespace: 'Shop',
          MetricName: 'Orders',
          Dimensions: [{ Name: 'Shard', Value: m.spec.metric!.dimensions!.Shard! }],
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: m.spec.threshold,
          ComparisonOperator: 'LessThanThreshold',
        }),
      );
    }
    const ctx = await observeContext(createSession(aws, { controllerId: 'ballast' }), manifests, ['cloudwatch:alarm']);
    aws.counter.reset();
    const observed = await alarm.observe(manifests, ctx);
    expect(aws.counter.summary()).toEqual({ 'cloudwatch:DescribeAlarms:success': 2 });
    expect([...observed.values()].filter((o) => o.state === 'found')).toHaveLength(120);
    expect(manifests.every((m) => alarm.diff(m, liveOf(observed, m.metadata.name), ctx).length === 0)).toBe(true);
  });
});
