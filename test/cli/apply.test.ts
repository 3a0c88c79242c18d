import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import { isReadOperation } from '../../src/aws/counter.js';
import type { AwsCall } from '../../src/engine/types.js';
import { loadRevision } from '../../src/validate/index.js';
import { createSession } from '../../src/observe/context.js';
import { observeAndPlan } from '../../src/engine/pipeline.js';
import { applyPlan, DEFAULT_TIMEOUTS } from '../../src/apply/index.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { useMoto } from '../support/moto.js';
import { createNetwork, type Network } from '../../src/demo/network.js';
import { runCli } from '../support/cli.js';
import { HAND_CHANGES } from '../support/hand-changes.js';
import { copyDesiredState, editManifest, removeManifest, setField } from '../support/manifests.js';
import { asReceived, EmulatorRecorder, sorted, writesOf, type ReceivedCall } from '../support/recorder.js';

const moto = useMoto();

interface PlanJson {
  resources: { key: string; status: string; changes: { path: string; live: unknown; desired: unknown }[]; refused: unknown[]; note?: string; error?: { code: string; message: string } }[];
  actions: { id: string; calls: AwsCall[] }[];
  calls: Record<string, number>;
  converged?: boolean;
  result?: { actions: { id: string; state: string; error?: { code: string; message: string } }[] };
}

/** `service:Operation` of every write call the run made, sorted (from the JSON call counts). */
function writes(out: PlanJson): string[] {
  return Object.entries(out.calls)
    .filter(([k]) => !isReadOperation(k.split(':')[1] ?? ''))
    .flatMap(([k, n]) => Array.from({ length: n }, () => k.split(':').slice(0, 2).join(':')))
    .sort();
}

function planned(out: PlanJson): string[] {
  return out.actions.flatMap((a) => a.calls.map((c) => `${c.service}:${c.operation}`)).sort();
}

const fast = ['--yes', '--output', 'json', '--poll-interval', '0.05'];
let dir: string;

async function apply(extra: string[] = [], path = dir) {
  const run = await runCli(['apply', path, ...fast, ...extra]);
  return { ...run, out: run.json<PlanJson>() };
}

/** An apply, with every request the emulator received meanwhile (its own record, not Ballast's counting). */
async function recordedApply(extra: string[] = []) {
  const recorder = new EmulatorRecorder(moto.endpoint);
  await recorder.start();
  const run = await apply(extra);
  return { ...run, received: await recorder.stop() };
}

/** The emulator received exactly the plan's calls, inputs included, as writes; and as many reads as Ballast counted. */
function expectExactlyThePlan(out: PlanJson, received: ReceivedCall[]) {
  expect(sorted(writesOf(received))).toEqual(sorted(out.actions.flatMap((a) => a.calls.map(asReceived))));
  const reads = Object.entries(out.calls).filter(([k]) => isReadOperation(k.split(':')[1] ?? ''));
  expect(received.length - writesOf(received).length).toBe(reads.reduce((n, [, count]) => n + count, 0));
}

describe('ballast apply against the emulator', () => {
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    dir = await copyDesiredState();
  });

  it('creates the whole estate tagged, then a second apply writes nothing and plan finds no change', async () => {
    const first = await recordedApply();
    expect(first.out.result?.actions.filter((a) => a.state !== 'done')).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out.resources.every((r) => r.status === 'create')).toBe(true);
    // Every write apply made is a call of the plan it printed, and nothing else.
    expect(writes(first.out)).toEqual(planned(first.out));
    expectExactlyThePlan(first.out, first.received);

    const owned = await moto.aws().tagging.send(
      new GetResourcesCommand({ TagFilters: [{ Key: 'ballast.dev/managed-by', Values: ['ballast'] }], ResourceTypeFilters: ['ecs:service', 'rds:db', 'cloudwatch:alarm'] }),
    );
    const arns = (owned.ResourceTagMappingList ?? []).map((r) => r.ResourceARN ?? '');
    expect(arns.filter((a) => a.includes(':service/shop/'))).toHaveLength(4);
    expect(arns.filter((a) => a.includes(':alarm:'))).toHaveLength(14);
    expect(arns.filter((a) => a.includes(':db:shop-db'))).toHaveLength(2); // primary + one replica (min 1)

    const second = await recordedApply();
    expect(second.code).toBe(0);
    expect(writes(second.out)).toEqual([]);
    expect(writesOf(second.received)).toEqual([]);
    const plan = await runCli(['plan', dir, '--detailed-exitcode']);
    expect(plan.stdout).toContain('No changes');
    // Still, the replica scaler says why it holds.
    expect(plan.stdout).toMatch(/= DbInstance\/shop-db {2}\(in-sync\)\n {6}read replicas: .*holding 1/);
    expect(plan.code).toBe(0);
  });

  it('reports several hand-made changes at once as drift, then fixes them all in one apply', async () => {
    await apply();
    const several = HAND_CHANGES.filter((h) => ['an alarm threshold', 'a scaling target value', 'the backup retention'].includes(h.what));
    for (const h of several) await h.change(moto.aws());

    const drift = await runCli(['drift', dir, '--output', 'json']);
    expect(drift.code).toBe(2);
    const changes = drift.json<PlanJson>().resources.flatMap((r) => r.changes.map((c) => ({ key: r.key, path: c.path, live: c.live, desired: c.desired })));
    expect(changes).toEqual(expect.arrayContaining(several.map((h) => h.drift)));
    expect(changes).toHaveLength(several.length);

    const fix = await recordedApply();
    expect(fix.code).toBe(0);
    expect(writes(fix.out)).toEqual(several.flatMap((h) => h.fix).sort());
    expectExactlyThePlan(fix.out, fix.received);
    expect((await runCli(['plan', dir, '--detailed-exitcode'])).code).toBe(0);
  });

  it('queues a DB class change for the maintenance window unless the manifest says applyImmediately', async () => {
    await apply();
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'instanceClass'], 'db.r6g.xlarge'));
    const queued = await apply();
    const call = queued.out.actions.flatMap((a) => a.calls).find((c) => c.operation === 'ModifyDBInstance')!;
    expect(call.input).toMatchObject({ DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: false });

    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'instanceClass'], 'db.r6g.2xlarge'));
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'applyImmediately'], true));
    const now = await apply();
    const immediate = now.out.actions.flatMap((a) => a.calls).find((c) => c.operation === 'ModifyDBInstance')!;
    expect(immediate.input).toMatchObject({ DBInstanceClass: 'db.r6g.2xlarge', ApplyImmediately: true });
  });

  it.each([
    ['turning off Multi-AZ', ['spec', 'multiAZ'], false, 'MultiAZ'],
    ['turning off deletion protection', ['spec', 'deletionProtection'], false, 'DeletionProtection'],
    ['lowering backup retention', ['spec', 'backup', 'retentionDays'], 3, 'BackupRetentionPeriod'],
  ])('refuses %s without the opt-in annotation and proceeds with it', async (_what, field, value, param) => {
    await apply();
    await editManifest(dir, 'DbInstance/shop-db', (doc) => {
      doc.setIn(field, value);
      // Production DBs must be Multi-AZ: drop the label so the manifest stays valid while testing the guard.
      doc.deleteIn(['metadata', 'labels', 'environment']);
    });
    const refused = await apply();
    expect(refused.code).toBe(1);
    const db = refused.out.resources.find((r) => r.key === 'DbInstance/shop-db')!;
    expect(db.refused).toHaveLength(1);
    expect(db.note).toMatch(/allow-destructive/);
    expect(writes(refused.out)).toEqual([]);

    await editManifest(dir, 'DbInstance/shop-db', setField(['metadata', 'annotations'], { 'ballast.dev/allow-destructive': 'true' }));
    const allowed = await apply();
    expect(allowed.code).toBe(0);
    const call = allowed.out.actions.flatMap((a) => a.calls).find((c) => c.operation === 'ModifyDBInstance')!;
    expect(call.input[param]).toBe(value);
  });

  it('fails a service with a missing target group alone: the rest converges and the error is reported', async () => {
    await editManifest(dir, 'EcsService/storefront', setField(['spec', 'loadBalancer', 'targetGroup'], 'shop-missing'));
    const run = await apply();
    expect(run.code).toBe(1);
    const byKey = new Map(run.out.resources.map((r) => [r.key, r]));
    expect(byKey.get('EcsService/storefront')?.status).toBe('error');
    expect(byKey.get('EcsService/storefront')?.error?.message).toMatch(/shop-missing/);
    expect(byKey.get('ServiceAutoscaling/storefront')?.note).toMatch(/waits for EcsService\/storefront/);
    const services = await moto.aws().ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront', 'checkout', 'catalog', 'worker'] }));
    expect(services.services?.map((s) => s.serviceName).sort()).toEqual(['catalog', 'checkout', 'worker']);
  });

  it('makes no write for a resource in detect or suspend mode', async () => {
    await apply();
    const aws = moto.aws();
    await aws.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'shop-db', BackupRetentionPeriod: 2, ApplyImmediately: true }));
    for (const mode of ['detect', 'suspend']) {
      await editManifest(dir, 'DbInstance/shop-db', setField(['metadata', 'annotations'], { 'ballast.dev/mode': mode }));
      const run = await apply();
      expect(writes(run.out)).toEqual([]);
      const db = run.out.resources.find((r) => r.key === 'DbInstance/shop-db')!;
      expect(db.status).toBe(mode === 'detect' ? 'update' : 'suspended');
    }
    const live = await aws.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db' }));
    expect(live.DBInstances![0]!.BackupRetentionPeriod).toBe(2);
  });

  it('reports a same-named resource without the ownership tag and leaves it untouched', async () => {
    const aws = moto.aws();
    await aws.cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'shop-db-cpu-high',
        Namespace: 'AWS/RDS',
        MetricName: 'CPUUtilization',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 50,
        ComparisonOperator: 'GreaterThanThreshold',
      }),
    );
    const run = await apply();
    expect(run.out.resources.find((r) => r.key === 'Alarm/shop-db-cpu-high')?.status).toBe('unmanaged');
    expect(run.out.actions.some((a) => a.id.startsWith('Alarm/shop-db-cpu-high'))).toBe(false);
    const live = await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['shop-db-cpu-high'] }));
    expect(live.MetricAlarms![0]!.Threshold).toBe(50);
  });

  it('prunes an owned alarm that left the manifests only with --prune', async () => {
    await apply();
    await removeManifest(dir, 'Alarm/worker-memory-high');
    const kept = await apply();
    expect(kept.out.resources.find((r) => r.key === 'Alarm/worker-memory-high')?.status).toBe('prune');
    expect(writes(kept.out)).toEqual([]);
    const pruned = await apply(['--prune', '--controller-id', 'ballast']);
    expect(writes(pruned.out)).toEqual(['cloudwatch:DeleteAlarms']);
    const live = await moto.aws().cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['worker-memory-high'] }));
    expect(live.MetricAlarms).toEqual([]);
  });
});

describe('an apply that died half way', () => {
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
  });

  it('converges on the next run without creating anything twice', async () => {
    const aws = moto.aws();
    const revision = await loadRevision('desired-state');
    const session = createSession(aws, { controllerId: 'ballast' });
    const { plan, observed } = await observeAndPlan(revision.manifests, session, RECONCILERS, { defaultMode: 'enforce', prune: false });
    // The process dies part way: the DB primary exists but not its replica, some alarms and scaling are missing.
    const unfinished = (id: string) => id === 'DbInstance/shop-db#replica-1' || id.startsWith('Alarm/storefront') || id.startsWith('ServiceAutoscaling/worker');
    const half = { ...plan, actions: plan.actions.filter((a) => !unfinished(a.id)) };
    await applyPlan(half, revision.manifests, observed.ctx, RECONCILERS, { timeouts: DEFAULT_TIMEOUTS, pollIntervalMs: 10 });

    const rerun = await runCli(['apply', 'desired-state', ...fast]);
    expect(rerun.code).toBe(0);
    const out = rerun.json<PlanJson>();
    expect(out.actions.map((a) => a.id)).not.toContain('DbInstance/shop-db#primary');
    expect(out.actions.map((a) => a.id)).toContain('DbInstance/shop-db#replica-1');
    const dbs = await aws.rds.send(new DescribeDBInstancesCommand({}));
    expect(dbs.DBInstances?.map((d) => d.DBInstanceIdentifier).sort()).toEqual(['shop-db', 'shop-db-replica-1']);
    const services = await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront', 'checkout', 'catalog', 'worker'] }));
    expect(services.services?.filter((s) => s.status === 'ACTIVE')).toHaveLength(4);
    const alarms = await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: '' }));
    expect(new Set(alarms.MetricAlarms?.map((a) => a.AlarmName)).size).toBe(alarms.MetricAlarms?.length);
    expect((await runCli(['plan', 'desired-state', '--detailed-exitcode'])).code).toBe(0);
  });
});

describe('apply next to a service someone else made', () => {
  let net: Network;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    net = await createNetwork(moto.aws());
    dir = await copyDesiredState();
  });

  it('never registers scaling on a same-named service without the ownership tag', async () => {
    const aws = moto.aws();
    await aws.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'storefront',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'app', image: 'nginx:1.27' }],
      }),
    );
    await aws.ecs.send(
      new CreateServiceCommand({
        cluster: 'shop',
        serviceName: 'storefront',
        taskDefinition: 'storefront',
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: Object.values(net.subnets), securityGroups: [net.securityGroups['shop-services']!] } },
      }),
    );

    const run = await recordedApply();
    // Every write was a planned call, and none of them names the storefront's scalable target (the others scale).
    expect(writes(run.out)).toEqual(planned(run.out));
    expectExactlyThePlan(run.out, run.received);
    const autoscalingCalls = run.out.actions.flatMap((a) => a.calls).filter((c) => c.service === 'autoscaling');
    expect(autoscalingCalls.filter((c) => c.input.ResourceId === 'service/shop/storefront')).toEqual([]);
    expect(autoscalingCalls.length).toBeGreaterThan(0);
    const byKey = new Map(run.out.resources.map((r) => [r.key, r]));
    expect(byKey.get('EcsService/storefront')?.status).toBe('unmanaged');
    expect(byKey.get('ServiceAutoscaling/storefront')?.note).toBe('waits for EcsService/storefront, which Ballast does not own');
    expect(run.out.actions.filter((a) => /^(EcsService|ServiceAutoscaling)\/storefront\b/.test(a.id))).toEqual([]);
    const targets = await aws.autoscaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceIds: ['service/shop/storefront'] }),
    );
    expect(targets.ScalableTargets).toEqual([]);
  });
});
