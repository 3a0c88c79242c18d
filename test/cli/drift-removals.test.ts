import { readFile } from 'node:fs/promises';
import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeAlarmsCommand, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import { CreateClusterCommand, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { isReadOperation } from '../../src/aws/counter.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { runCli } from '../support/cli.js';
import { HAND_CHANGES, HAND_REMOVALS } from '../support/hand-changes.js';
import { copyDesiredState, editManifest, removeManifest, setField } from '../support/manifests.js';

const moto = useMoto();

interface Change {
  path: string;
  live: unknown;
  desired: unknown;
  reason?: string;
  scaling?: boolean;
  waitsFor?: string[];
}
interface Out {
  resources: { key: string; status: string; drift?: string; changes: Change[]; refused: Change[]; note?: string }[];
  actions: { id: string; key: string; calls: { operation: string; input: Record<string, unknown> }[]; disruption: { level: string; reason: string } }[];
  calls: Record<string, number>;
  drift: { key: string; drift: string }[];
}

const fast = ['--yes', '--output', 'json', '--poll-interval', '0.05'];
let dir: string;

async function apply(extra: string[] = []) {
  const run = await runCli(['apply', dir, ...fast, ...extra]);
  return { code: run.code, out: run.json<Out>(), stderr: run.stderr };
}

function writes(out: Out): string[] {
  return Object.entries(out.calls)
    .filter(([k]) => !isReadOperation(k.split(':')[1] ?? ''))
    .flatMap(([k, n]) => Array.from({ length: n }, () => k.split(':')[1]!))
    .sort();
}

const resource = (out: Out, key: string) => out.resources.find((r) => r.key === key);

describe('drift that misses nothing', () => {
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    dir = await copyDesiredState();
  });

  it('reports deleted resources, a hand-deleted replica and lost ownership; apply puts back what it owns and exits 1 for the rest', async () => {
    // --target: only storefront's scaling and the service it needs.
    const targeted = await apply(['--target', 'ServiceAutoscaling/storefront']);
    expect(targeted.out.resources.map((r) => r.key).sort()).toEqual(['EcsService/storefront', 'ServiceAutoscaling/storefront']);
    expect(writes(targeted.out)).toEqual(['CreateService', 'PutScalingPolicy', 'PutScalingPolicy', 'RegisterScalableTarget', 'RegisterTaskDefinition']);
    const typo = await runCli(['plan', dir, '--target', 'Alarm/storefront-cpu-hgh']);
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain('--target Alarm/storefront-cpu-hgh: no such manifest in this revision (did you mean "Alarm/storefront-cpu-high"?)');

    expect((await apply()).code).toBe(0);
    const aws = moto.aws();
    await HAND_REMOVALS.deleteAlarm(aws, 'worker-memory-high');
    await HAND_REMOVALS.deleteService(aws, 'catalog');
    await HAND_REMOVALS.deletePolicy(aws, 'service/shop/storefront', 'storefront-cpu');
    await HAND_REMOVALS.deleteReplica(aws, 'shop-db-replica-1');
    await HAND_REMOVALS.untagAlarm(aws, 'shop-db-cpu-high');
    await HAND_CHANGES.find((h) => h.what === 'an alarm threshold')!.change(aws);
    await HAND_REMOVALS.removeDashboardMarker(aws, 'shop');

    const drift = await runCli(['drift', dir, '--output', 'json']);
    expect(drift.code).toBe(2);
    const out = drift.json<Out>();
    expect(out.drift.map((d) => d.key).sort()).toEqual([
      'Alarm/shop-db-cpu-high',
      'Alarm/worker-memory-high',
      'Dashboard/shop',
      'DbInstance/shop-db',
      'EcsService/catalog',
      'ServiceAutoscaling/storefront',
    ]);
    expect(resource(out, 'Alarm/worker-memory-high')).toMatchObject({ status: 'create', drift: 'missing' });
    expect(resource(out, 'EcsService/catalog')).toMatchObject({ status: 'create', drift: 'missing' });
    expect(resource(out, 'ServiceAutoscaling/storefront')?.changes).toEqual([expect.objectContaining({ path: 'spec.cpu', live: null })]);
    // The replica is drift (not the scaler's decision): no scaling mark, and the reason says what happened.
    expect(resource(out, 'DbInstance/shop-db')?.changes).toEqual([
      { path: 'spec.readReplicas.count', live: 0, desired: 1, reason: '1 read replica deleted by hand; Ballast last left 1' },
    ]);
    // Ownership lost: loud, with the differences Ballast would have fixed and how to take it back.
    expect(resource(out, 'Alarm/shop-db-cpu-high')).toMatchObject({
      status: 'unmanaged',
      drift: 'ownership-lost',
      changes: [{ path: 'spec.threshold', live: 95, desired: 80 }],
      note: expect.stringContaining('annotate ballast.dev/adopt: "true" to take it back'),
    });
    expect(resource(out, 'Dashboard/shop')).toMatchObject({ status: 'unmanaged', drift: 'ownership-lost' });
    const text = await runCli(['drift', dir]);
    expect(text.stdout).toContain('Alarm/worker-memory-high  (missing)');
    expect(text.stdout).toContain('ownership lost: exists without ballast.dev/managed-by=ballast');
    expect((await runCli(['plan', dir, '--detailed-exitcode'])).code).toBe(2);

    const diff = await runCli(['diff', 'Alarm/shop-db-cpu-high', dir]);
    expect(diff.code).toBe(2);
    expect(diff.stdout).toContain('  spec.threshold\n    live:    95\n    desired: 80\n');

    const fixed = await apply();
    // What it owns comes back; what lost its ownership is left alone, so apply does not call it converged.
    expect(fixed.code).toBe(1);
    expect(writes(fixed.out)).toEqual([
      'CreateDBInstanceReadReplica',
      'CreateService',
      'PutMetricAlarm',
      'PutScalingPolicy',
      'RegisterTaskDefinition',
    ]);
    const primary = (await aws.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db' }))).DBInstances![0]!;
    expect(primary.ReadReplicaDBInstanceIdentifiers).toEqual(['shop-db-replica-1']);
    // Putting a replica back is not a scale-out: no cooldown starts.
    expect(primary.TagList?.map((t) => t.Key)).not.toContain('ballast.dev/replicas-scaled-out-at');
    expect((await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['shop-db-cpu-high'] }))).MetricAlarms![0]!.Threshold).toBe(95);
    const body = (await aws.cloudwatch.send(new GetDashboardCommand({ DashboardName: 'shop' }))).DashboardBody!;
    expect(body).not.toContain('ballast.dev/managed-by');

    const after = await runCli(['drift', dir, '--output', 'json']);
    expect(after.code).toBe(2);
    expect(after.json<Out>().drift.map((d) => d.key).sort()).toEqual(['Alarm/shop-db-cpu-high', 'Dashboard/shop']);
  });

  it('prunes scaling and dashboards too, refuses prune under the unstated default id, and applies safe fields beside a refused one', async () => {
    expect((await apply()).code).toBe(0);
    await removeManifest(dir, 'ServiceAutoscaling/worker');
    await removeManifest(dir, 'Dashboard/shop');

    const plan = await runCli(['plan', dir, '--output', 'json']);
    const candidates = plan.json<Out>().resources.filter((r) => r.status === 'prune');
    expect(candidates.map((r) => r.key).sort()).toEqual(['Dashboard/shop', 'ServiceAutoscaling/worker']);

    const refused = await apply(['--prune']);
    expect(refused.code).toBe(1);
    expect(writes(refused.out)).toEqual([]);
    expect(resource(refused.out, 'Dashboard/shop')?.note).toMatch(/^refused: prune with the default controller id "ballast"/);

    const pruned = await runCli(['apply', dir, ...fast, '--prune', '--controller-id', 'ballast']);
    const out = pruned.json<Out>();
    expect(out.resources.filter((r) => r.status !== 'in-sync' && r.status !== 'prune')).toEqual([]);
    expect(pruned.code).toBe(0);
    expect(writes(out)).toEqual(['DeleteDashboards', 'DeleteScalingPolicy', 'DeleteScalingPolicy', 'DeregisterScalableTarget']);
    expect(out.actions.every((a) => a.disruption.level === 'deletes')).toBe(true);
    const aws = moto.aws();
    const targets = await aws.autoscaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ScalableDimension: 'ecs:service:DesiredCount', ResourceIds: ['service/shop/worker'] }),
    );
    expect(targets.ScalableTargets).toEqual([]);
    const policies = await aws.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/worker' }));
    expect(policies.ScalingPolicies?.filter((p) => p.ResourceId === 'service/shop/worker')).toEqual([]);

    // A class change beside a refused retention cut and a major upgrade without its annotation: the class goes alone.
    await editManifest(dir, 'DbInstance/shop-db', (doc) => {
      doc.setIn(['spec', 'instanceClass'], 'db.r6g.xlarge');
      doc.setIn(['spec', 'backup', 'retentionDays'], 3);
      doc.setIn(['spec', 'engineVersion'], '17');
    });
    const split = await apply();
    expect(split.code).toBe(1);
    const db = resource(split.out, 'DbInstance/shop-db')!;
    expect(db.refused.map((c) => c.path).sort()).toEqual(['spec.backup.retentionDays', 'spec.engineVersion']);
    expect(db.note).toContain('the other changes go ahead');
    const modify = split.out.actions.find((a) => a.key === 'DbInstance/shop-db')!;
    expect(modify.calls.map((c) => c.input)).toEqual([{ DBInstanceIdentifier: 'shop-db', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: false }]);
    expect(modify.disruption).toMatchObject({ level: 'brief outage' });

    await editManifest(dir, 'DbInstance/shop-db', setField(['metadata', 'annotations'], { 'ballast.dev/allow-major-version-upgrade': 'true' }));
    const upgraded = await apply();
    const upgrade = upgraded.out.actions.find((a) => a.key === 'DbInstance/shop-db')!;
    expect(upgrade.calls[0]?.input).toMatchObject({ EngineVersion: '17', AllowMajorVersionUpgrade: true });
    expect(upgrade.calls[0]?.input).not.toHaveProperty('BackupRetentionPeriod');
    expect(upgrade.disruption).toMatchObject({ level: 'restarts DB' });
    expect(upgraded.code).toBe(1);

    // A refused cluster move holds back the service's other changes, and the plan says which wait for it.
    await aws.ecs.send(new CreateClusterCommand({ clusterName: 'shop-2' }));
    await editManifest(dir, 'EcsService/worker', (doc) => {
      doc.setIn(['spec', 'cluster'], 'shop-2');
      doc.setIn(['spec', 'cpu'], 1024);
      doc.setIn(['spec', 'memory'], 2048);
    });
    const held = await runCli(['plan', dir, '--target', 'EcsService/worker', '--output', 'json']);
    const worker = resource(held.json<Out>(), 'EcsService/worker')!;
    expect(worker.refused.map((c) => c.path)).toEqual(['spec.cluster']);
    expect(worker.changes.filter((c) => c.waitsFor).map((c) => [c.path, c.waitsFor])).toEqual([
      ['spec.cpu', ['spec.cluster']],
      ['spec.memory', ['spec.cluster']],
    ]);
    expect(held.json<Out>().actions).toEqual([]);
    const services = await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['worker'] }));
    expect(services.services?.[0]?.status).toBe('ACTIVE');
  });

  it('points a reference that matches nothing at its file:line:col, in text and JSON', async () => {
    await editManifest(dir, 'EcsService/storefront', (doc) => doc.setIn(['spec', 'network', 'subnets', 1], 'shop-private-x'));
    const run = await runCli(['plan', dir, '--output', 'json']);
    expect(run.code).toBe(1);
    const error = run.json<{ resources: { key: string; error?: { code: string; at?: string } }[] }>().resources.find((r) => r.key === 'EcsService/storefront')?.error;
    expect(error).toMatchObject({ code: 'ReferenceNotFound', at: expect.stringMatching(/storefront\.yaml:\d+:\d+$/) });
    const [file, line, col] = error!.at!.split(':');
    const text = (await readFile(file!, 'utf8')).split('\n')[Number(line) - 1]!;
    expect(text.slice(Number(col) - 1)).toMatch(/^shop-private-x\b/);
    const plain = await runCli(['plan', dir]);
    expect(plain.stdout).toContain(`error: ${error!.at}: ReferenceNotFound: subnet (by Name tag) "shop-private-x" not found`);
  });
});
