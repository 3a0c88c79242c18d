import { DeleteAlarmsCommand, DescribeAlarmsCommand, GetDashboardCommand, PutDashboardCommand, PutMetricAlarmCommand, UntagResourceCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteDBInstanceCommand, ModifyDBInstanceCommand } from '@aws-sdk/client-rds';
import { DeleteScalingPolicyCommand, DescribeScalingPoliciesCommand, PutScalingPolicyCommand, type ScalingPolicy } from '@aws-sdk/client-application-auto-scaling';
import { DeleteServiceCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Aws } from '../../src/aws/clients.js';

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
export async function editTask(aws: Aws, service: string, edit: (td: Record<string, unknown>) => void) {
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

/** A change someone makes by hand in the console, the drift Ballast must see, and the only writes that fix it. */
export interface HandChange {
  what: string;
  change: (aws: Aws) => Promise<void>;
  drift: { key: string; path: string; live: unknown; desired: unknown };
  fix: string[];
  /** RDS holds the fix for the maintenance window (the manifest says applyImmediately: false). */
  waitsForWindow: boolean;
}

/** Fields RDS changes only in the maintenance window unless asked to apply at once. */
const DEFERRED_BY_RDS = new Set(['spec.multiAZ', 'spec.instanceClass', 'spec.storage.allocatedGiB', 'spec.engineVersion']);

const rows: [string, (aws: Aws) => Promise<void>, HandChange['drift']][] = [
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
    ]
];

const FIX: Record<string, string[]> = {
  Alarm: ['cloudwatch:PutMetricAlarm'],
  ServiceAutoscaling: ['autoscaling:PutScalingPolicy'],
  EcsService: ['ecs:RegisterTaskDefinition', 'ecs:UpdateService'],
  DbInstance: ['rds:ModifyDBInstance'],
};

/** The drift list of the plan issue, applied to the shop estate. */
export const HAND_CHANGES: HandChange[] = rows.map(([what, change, drift]) => ({
  what,
  change,
  drift,
  fix: FIX[drift.key.split('/')[0]!]!,
  waitsForWindow: DEFERRED_BY_RDS.has(drift.path),
}));

/** Hand changes that take a whole resource (or its ownership) away, as someone would in the console or the CLI. */
export const HAND_REMOVALS = {
  /** An alarm deleted. */
  async deleteAlarm(aws: Aws, name: string) {
    await aws.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
  },
  /** A service deleted (ECS keeps it as INACTIVE for a while). */
  async deleteService(aws: Aws, name: string) {
    await aws.ecs.send(new DeleteServiceCommand({ cluster: 'shop', service: name, force: true }));
  },
  /** A scaling policy deleted. */
  async deletePolicy(aws: Aws, resourceId: string, name: string) {
    await aws.autoscaling.send(
      new DeleteScalingPolicyCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId, ScalableDimension: 'ecs:service:DesiredCount', PolicyName: name }),
    );
  },
  /** A read replica deleted. */
  async deleteReplica(aws: Aws, identifier: string) {
    await aws.rds.send(new DeleteDBInstanceCommand({ DBInstanceIdentifier: identifier, SkipFinalSnapshot: true }));
  },
  /** The ownership tag taken off an alarm. */
  async untagAlarm(aws: Aws, name: string) {
    const a = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
    await aws.cloudwatch.send(new UntagResourceCommand({ ResourceARN: a.AlarmArn!, TagKeys: ['ballast.dev/managed-by'] }));
  },
  /** The dashboard saved from the console without the text widget that carries Ballast's ownership marker. */
  async removeDashboardMarker(aws: Aws, name: string) {
    const body = JSON.parse((await aws.cloudwatch.send(new GetDashboardCommand({ DashboardName: name }))).DashboardBody!) as { widgets: { properties: { markdown?: string } }[] };
    body.widgets = body.widgets.filter((w) => !w.properties.markdown?.includes('ballast.dev/managed-by'));
    await aws.cloudwatch.send(new PutDashboardCommand({ DashboardName: name, DashboardBody: JSON.stringify(body) }));
  },
};

/** An alarm's live threshold (undefined once it is gone). */
export async function threshold(aws: Aws, name: string): Promise<number | undefined> {
  return (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]?.Threshold;
}

/** An alarm's threshold changed in the console. */
export async function setThreshold(aws: Aws, name: string, value: number) {
  const a = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
  await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...a, Threshold: value } as never));
}
