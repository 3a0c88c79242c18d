import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeAlarmsCommand, GetDashboardCommand, PutDashboardCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { DescribeScalingPoliciesCommand, PutScalingPolicyCommand, type ScalingPolicy } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Aws } from '../../src/aws/clients.js';
import { loadRevision } from '../../src/validate/index.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { buildShopEstate } from '../support/estate/index.js';
import { runCli } from '../support/cli.js';

const moto = useMoto();

interface PlanJson {
  resources: { key: string; status: string; changes: { path: string; live: unknown; desired: unknown }[] }[];
}

async function planJson() {
  const run = await runCli(['plan', 'desired-state', '--detailed-exitcode', '--output', 'json']);
  const changes = run.json<PlanJson>().resources.flatMap((r) => r.changes.map((c) => ({ key: r.key, ...c })));
  return { code: run.code, changes, statuses: run.json<PlanJson>().resources.map((r) => r.status) };
}

async function policy(aws: Aws, name: string): Promise<ScalingPolicy> {
  const out = await aws.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', PolicyNames: [name] }));
  return out.ScalingPolicies!.find((p) => p.PolicyName === name)!;
}

async function putPolicy(aws: Aws, p: ScalingPolicy, change: Record<string, number>) {
  await aws.autoscaling.send(
    new PutScalingPolicyCommand({
      PolicyName: p.PolicyName!,
      ServiceNamespace: 'ecs',
      ResourceId: p.ResourceId!,
      ScalableDimension: p.ScalableDimension!,
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { ...p.TargetTrackingScalingPolicyConfiguration!, ...change } as never,
    }),
  );
}

/** Registers a changed copy of a service's live task definition and points the service at it (a console edit). */
async function editTask(aws: Aws, service: string, edit: (td: Record<string, unknown>) => void) {
  const svc = (await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: [service] }))).services![0]!;
  const td = (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition! }))).taskDefinition!;
  const input: Record<string, unknown> = {
    family: td.family,
    containerDefinitions: td.containerDefinitions,
    cpu: td.cpu,
    memory: td.memory,
    networkMode: td.networkMode,
    requiresCompatibilities: td.requiresCompatibilities,
    executionRoleArn: td.executionRoleArn,
    taskRoleArn: td.taskRoleArn,
  };
  edit(input);
  const next = await aws.ecs.send(new RegisterTaskDefinitionCommand(input as never));
  await aws.ecs.send(new UpdateServiceCommand({ cluster: 'shop', service, taskDefinition: next.taskDefinition!.taskDefinitionArn! }));
}

describe('ballast plan and drift against an estate built by hand', () => {
  let aws: Aws;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    aws = moto.aws();
    const net = await createNetwork(aws);
    await buildShopEstate(aws, net, (await loadRevision('desired-state')).manifests);
  });

  it('reports no change when the live estate matches desired-state/', async () => {
    const { code, changes, statuses } = await planJson();
    expect(changes).toEqual([]);
    expect(new Set(statuses)).toEqual(new Set(['in-sync']));
    expect(code).toBe(0);
    const drift = await runCli(['drift', 'desired-state']);
    expect(drift.code).toBe(0);
    expect(drift.stdout).toContain('No drift');
  });

  it.each<[string, (aws: Aws) => Promise<void>, { key: string; path: string; live: unknown; desired: unknown }]>([
    [
      'an alarm threshold',
      async (aws) => {
        const a = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['shop-db-cpu-high'] }))).MetricAlarms![0]!;
        await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...a, Threshold: 95 } as never));
      },
      { key: 'Alarm/shop-db-cpu-high', path: 'spec.threshold', live: 95, desired: 80 },
    ],
    ['a scaling target value', async (aws) => putPolicy(aws, await policy(aws, 'storefront-memory'), { TargetValue: 50 }), { key: 'ServiceAutoscaling/storefront', path: 'spec.memory.targetValue', live: 50, desired: 75 }],
    ['a scale-in cooldown', async (aws) => putPolicy(aws, await policy(aws, 'worker-cpu'), { ScaleInCooldown: 30 }), { key: 'ServiceAutoscaling/worker', path: 'spec.cpu.scaleInCooldown', live: 30, desired: 300 }],
    ['the task cpu', async (aws) => editTask(aws, 'catalog', (td) => (td.cpu = '1024')), { key: 'EcsService/catalog', path: 'spec.cpu', live: 1024, desired: 512 }],
    [
      'a container image',
      async (aws) => editTask(aws, 'checkout', (td) => ((td.containerDefinitions as { image: string }[])[0]!.image = 'public.ecr.aws/shop/checkout:2.7.2-hotfix')),
      { key: 'EcsService/checkout', path: 'spec.containers[app].image', live: 'public.ecr.aws/shop/checkout:2.7.2-hotfix', desired: 'public.ecr.aws/shop/checkout:2.7.1' },
    ],
    [
      'the backup retention',
      async (aws) => void (await aws.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'shop-db', BackupRetentionPeriod: 3, ApplyImmediately: true }))),
      { key: 'DbInstance/shop-db', path: 'spec.backup.retentionDays', live: 3, desired: 14 },
    ],
    [
      'Multi-AZ',
      async (aws) => void (await aws.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'shop-db', MultiAZ: false, ApplyImmediately: true }))),
      { key: 'DbInstance/shop-db', path: 'spec.multiAZ', live: false, desired: true },
    ],
    [
      'deletion protection',
      async (aws) => void (await aws.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'shop-db', DeletionProtection: false, ApplyImmediately: true }))),
      { key: 'DbInstance/shop-db', path: 'spec.deletionProtection', live: false, desired: true },
    ],
  ])('names the resource and field when someone changes %s by hand (exit 2)', async (_what, change, expected) => {
    await change(aws);
    const { code, changes } = await planJson();
    expect(changes).toEqual([expect.objectContaining(expected)]);
    expect(code).toBe(2);
    const drift = await runCli(['drift', 'desired-state']);
    expect(drift.code).toBe(2);
    expect(drift.stdout).toContain(`${expected.key}`);
    expect(drift.stdout).toContain(`${expected.path}: ${JSON.stringify(expected.live)} -> ${JSON.stringify(expected.desired)}`);
  });

  it('reports a dashboard widget edited in the console', async () => {
    const body = JSON.parse((await aws.cloudwatch.send(new GetDashboardCommand({ DashboardName: 'shop' }))).DashboardBody!) as { widgets: { properties: Record<string, unknown> }[] };
    body.widgets[0]!.properties.markdown = '# edited by hand';
    await aws.cloudwatch.send(new PutDashboardCommand({ DashboardName: 'shop', DashboardBody: JSON.stringify(body) }));
    const { code, changes } = await planJson();
    expect(changes).toEqual([expect.objectContaining({ key: 'Dashboard/shop', path: 'body.widgets[0]' })]);
    expect(code).toBe(2);
  });

  it('ignores unmanaged fields, reordered lists and a desiredCount moved by the autoscaler (exit 0)', async () => {
    // The autoscaler scaled storefront out.
    await aws.ecs.send(new UpdateServiceCommand({ cluster: 'shop', service: 'storefront', desiredCount: 9 }));
    // The alarm's actions in another order.
    const a = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['storefront-cpu-high'] }))).MetricAlarms![0]!;
    await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...a, AlarmActions: [...(a.AlarmActions ?? [])].reverse(), AlarmDescription: a.AlarmDescription } as never));
    // An RDS setting the manifest leaves out.
    await aws.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'shop-db', CACertificateIdentifier: 'rds-ca-rsa4096-g1', ApplyImmediately: true }));
    // The service's subnets in another order.
    const svc = (await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['worker'] }))).services![0]!;
    const vpc = svc.networkConfiguration!.awsvpcConfiguration!;
    await aws.ecs.send(
      new UpdateServiceCommand({ cluster: 'shop', service: 'worker', networkConfiguration: { awsvpcConfiguration: { ...vpc, subnets: [...vpc.subnets!].reverse() } } }),
    );
    const { code, changes } = await planJson();
    expect(changes).toEqual([]);
    expect(code).toBe(0);
  });
});
