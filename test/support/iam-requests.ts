import type { AwsCall } from '../../src/engine/types.js';
import { PREFIX } from './code-operations.js';
import { ACCOUNT, type IamRequest } from './iam-simulate.js';

/**
 * How IAM authorizes each AWS operation Ballast can send: the requests one call makes (its own action, and the ones
 * AWS checks along with it: tag-on-create, PassRole, the RDS groups, target tracking's alarms, service-linked roles).
 * The resource's own tags (aws:ResourceTag/*) are the scenario's business (see `withResourceTags`).
 * A new operation needs one line here, or the simulation test fails.
 */

export const REGION = 'us-east-1';
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;
const globalArn = (service: string, resource: string) => `arn:aws:${service}::${ACCOUNT}:${resource}`;

type In = Record<string, unknown>;
type Tags = Record<string, string>;

/** Tags in any of the SDKs' spellings: [{key, value}] (ECS), [{Key, Value}] (RDS, CloudWatch), or a map (autoscaling). */
function tagsOf(value: unknown): Tags | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) return value as Tags;
  return Object.fromEntries(value.map((t: Record<string, string>) => [t.key ?? t.Key, t.value ?? t.Value]));
}

function requestTags(tags: Tags | undefined): Record<string, string | string[]> {
  if (!tags) return {};
  return { ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': Object.keys(tags) };
}

const on = (action: string, resource: string, context: Record<string, string | string[]> = {}): IamRequest => ({ action, resource, context });
const s = (v: unknown) => String(v);

const ecsService = (i: In) => arn('ecs', `service/${s(i.cluster)}/${s(i.serviceName ?? i.service)}`);
const dbArn = (id: unknown) => (s(id).startsWith('arn:') ? s(id) : arn('rds', `db:${s(id)}`));
const scalableTarget = arn('application-autoscaling', 'scalable-target/0123456789abcdef0123456789abcdef');
const ecsTarget = (i: In) => ({ 'application-autoscaling:service-namespace': s(i.ServiceNamespace), 'application-autoscaling:scalable-dimension': s(i.ScalableDimension) });
/** Target tracking names its alarms `TargetTracking-<resource id>-AlarmHigh-<uuid>` and makes them with the caller's rights. */
const trackingAlarm = (i: In) => arn('cloudwatch', `alarm:TargetTracking-${s(i.ResourceId)}-AlarmHigh-0b1c2d3e`);
/** RDS authorizes a new instance on the groups it lands in, its managed master secret, and the RDS service-linked role. */
const rdsCreate = (action: string, i: In): IamRequest[] => [
  on(action, dbArn(i.DBInstanceIdentifier ?? i.TargetDBInstanceIdentifier), requestTags(tagsOf(i.Tags))),
  on('rds:AddTagsToResource', dbArn(i.DBInstanceIdentifier ?? i.TargetDBInstanceIdentifier), requestTags(tagsOf(i.Tags))),
  ...(i.DBSubnetGroupName ? [on(action, arn('rds', `subgrp:${s(i.DBSubnetGroupName)}`))] : []),
  on(action, arn('rds', `pg:${s(i.DBParameterGroupName ?? 'default.postgres16')}`)),
  on(action, arn('rds', 'og:default:postgres-16')),
  ...(i.ManageMasterUserPassword
    ? [
        on('secretsmanager:CreateSecret', arn('secretsmanager', 'secret:rds!db-0a1b2c3d-AbCdEf')),
        on('secretsmanager:TagResource', arn('secretsmanager', 'secret:rds!db-0a1b2c3d-AbCdEf')),
        on('kms:DescribeKey', arn('kms', 'key/0a1b2c3d-0000-0000-0000-000000000000'), { 'kms:ResourceAliases': ['alias/aws/secretsmanager'] }),
      ]
    : []),
  on('iam:CreateServiceLinkedRole', globalArn('iam', 'role/aws-service-role/rds.amazonaws.com/AWSServiceRoleForRDS'), { 'iam:AWSServiceName': 'rds.amazonaws.com' }),
];
const passRole = (role: unknown) => (role ? [on('iam:PassRole', s(role), { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' })] : []);
const anyResource = (action: string) => () => [on(action, '*')];

/** The lease's DynamoDB calls (src/lease/store.ts). */
export const LEASE_OPERATIONS = ['DescribeTable', 'CreateTable', 'GetItem', 'PutItem', 'UpdateItem'];
/** The history's DynamoDB calls made by the controller (src/history/store.ts); queries are the operator's. */
export const HISTORY_OPERATIONS = ['DescribeTable', 'CreateTable', 'UpdateTimeToLive', 'PutItem'];

/** The events queue's SQS calls (src/events/consumer.ts), as IAM names them. */
export const EVENT_OPERATIONS = ['ReceiveMessage', 'DeleteMessage'];
const queueArn = (url: unknown) => arn('sqs', s(url).split('/').pop()!);

export const CASES: Record<string, (i: In) => IamRequest[]> = {
  'ecs:DescribeServices': (i) => (i.services as string[]).map((n) => on('ecs:DescribeServices', ecsService({ cluster: i.cluster, service: n }))),
  'ecs:DescribeTaskDefinition': anyResource('ecs:DescribeTaskDefinition'),
  'ecs:CreateService': (i) => [
    on('ecs:CreateService', ecsService(i), requestTags(tagsOf(i.tags))),
    on('ecs:TagResource', ecsService(i), { ...requestTags(tagsOf(i.tags)), 'ecs:CreateAction': 'CreateService' }),
  ],
  'ecs:RegisterTaskDefinition': (i) => [
    on('ecs:RegisterTaskDefinition', arn('ecs', `task-definition/${s(i.family)}:7`), requestTags(tagsOf(i.tags))),
    on('ecs:TagResource', arn('ecs', `task-definition/${s(i.family)}:7`), { ...requestTags(tagsOf(i.tags)), 'ecs:CreateAction': 'RegisterTaskDefinition' }),
    ...passRole(i.taskRoleArn),
    ...passRole(i.executionRoleArn),
  ],
  'ecs:UpdateService': (i) => [on('ecs:UpdateService', ecsService(i))],
  'ecs:DeleteService': (i) => [on('ecs:DeleteService', ecsService(i))],
  'ecs:TagResource': (i) => [on('ecs:TagResource', s(i.resourceArn), requestTags(tagsOf(i.tags)))],
  'ecs:UntagResource': (i) => [on('ecs:UntagResource', s(i.resourceArn), { 'aws:TagKeys': i.tagKeys as string[] })],
  'application-autoscaling:DescribeScalableTargets': anyResource('application-autoscaling:DescribeScalableTargets'),
  'application-autoscaling:DescribeScalingPolicies': anyResource('application-autoscaling:DescribeScalingPolicies'),
  'application-autoscaling:DescribeScheduledActions': anyResource('application-autoscaling:DescribeScheduledActions'),
  'application-autoscaling:RegisterScalableTarget': (i) => [
    on('application-autoscaling:RegisterScalableTarget', scalableTarget, { ...ecsTarget(i), ...requestTags(tagsOf(i.Tags)) }),
    ...(i.Tags ? [on('application-autoscaling:TagResource', scalableTarget, { ...ecsTarget(i), ...requestTags(tagsOf(i.Tags)) })] : []),
    on('iam:CreateServiceLinkedRole', globalArn('iam', 'role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService'), {
      'iam:AWSServiceName': 'ecs.application-autoscaling.amazonaws.com',
    }),
  ],
  'application-autoscaling:PutScalingPolicy': (i) => [
    on('application-autoscaling:PutScalingPolicy', scalableTarget, ecsTarget(i)),
    on('cloudwatch:PutMetricAlarm', trackingAlarm(i)),
  ],
  'application-autoscaling:DeleteScalingPolicy': (i) => [
    on('application-autoscaling:DeleteScalingPolicy', scalableTarget, ecsTarget(i)),
    on('cloudwatch:DeleteAlarms', trackingAlarm(i)),
  ],
  'application-autoscaling:PutScheduledAction': (i) => [on('application-autoscaling:PutScheduledAction', scalableTarget, ecsTarget(i))],
  'application-autoscaling:DeleteScheduledAction': (i) => [on('application-autoscaling:DeleteScheduledAction', scalableTarget, ecsTarget(i))],
  'rds:DescribeDBInstances': () => [on('rds:DescribeDBInstances', arn('rds', 'db:shop-db'))],
  'rds:DescribeDBSnapshots': (i) => [on('rds:DescribeDBSnapshots', dbArn(i.DBInstanceIdentifier))],
  'rds:CreateDBInstance': (i) => rdsCreate('rds:CreateDBInstance', i),
  'rds:CreateDBInstanceReadReplica': (i) => rdsCreate('rds:CreateDBInstanceReadReplica', i),
  'rds:RestoreDBInstanceToPointInTime': (i) => [
    ...rdsCreate('rds:RestoreDBInstanceToPointInTime', i).slice(0, -1),
    on('rds:RestoreDBInstanceToPointInTime', dbArn(i.SourceDBInstanceIdentifier), requestTags(tagsOf(i.Tags))),
  ],
  'rds:RestoreDBInstanceFromDBSnapshot': (i) => [
    ...rdsCreate('rds:RestoreDBInstanceFromDBSnapshot', i).slice(0, -1),
    on('rds:RestoreDBInstanceFromDBSnapshot', arn('rds', `snapshot:${s(i.DBSnapshotIdentifier)}`), requestTags(tagsOf(i.Tags))),
  ],
  'rds:ModifyDBInstance': (i) => [
    on('rds:ModifyDBInstance', dbArn(i.DBInstanceIdentifier)),
    ...(i.DBParameterGroupName ? [on('rds:ModifyDBInstance', arn('rds', `pg:${s(i.DBParameterGroupName)}`))] : []),
  ],
  'rds:DeleteDBInstance': (i) => [
    on('rds:DeleteDBInstance', dbArn(i.DBInstanceIdentifier)),
    ...(i.FinalDBSnapshotIdentifier
      ? [on('rds:CreateDBSnapshot', dbArn(i.DBInstanceIdentifier)), on('rds:CreateDBSnapshot', arn('rds', `snapshot:${s(i.FinalDBSnapshotIdentifier)}`))]
      : []),
  ],
  'rds:AddTagsToResource': (i) => [on('rds:AddTagsToResource', dbArn(i.ResourceName), requestTags(tagsOf(i.Tags)))],
  'rds:RemoveTagsFromResource': (i) => [on('rds:RemoveTagsFromResource', dbArn(i.ResourceName), { 'aws:TagKeys': i.TagKeys as string[] })],
  'cloudwatch:DescribeAlarms': (i) => (i.AlarmNames as string[]).map((n) => on('cloudwatch:DescribeAlarms', arn('cloudwatch', `alarm:${n}`))),
  'cloudwatch:PutMetricAlarm': (i) => [
    on('cloudwatch:PutMetricAlarm', arn('cloudwatch', `alarm:${s(i.AlarmName)}`), requestTags(tagsOf(i.Tags))),
    ...(i.Tags ? [on('cloudwatch:TagResource', arn('cloudwatch', `alarm:${s(i.AlarmName)}`), requestTags(tagsOf(i.Tags)))] : []),
  ],
  'cloudwatch:DeleteAlarms': (i) => (i.AlarmNames as string[]).map((n) => on('cloudwatch:DeleteAlarms', arn('cloudwatch', `alarm:${n}`))),
  'cloudwatch:TagResource': (i) => [on('cloudwatch:TagResource', s(i.ResourceARN), requestTags(tagsOf(i.Tags)))],
  'cloudwatch:GetDashboard': (i) => [on('cloudwatch:GetDashboard', globalArn('cloudwatch', `dashboard/${s(i.DashboardName)}`))],
  'cloudwatch:PutDashboard': (i) => [on('cloudwatch:PutDashboard', globalArn('cloudwatch', `dashboard/${s(i.DashboardName)}`))],
  'cloudwatch:DeleteDashboards': (i) => (i.DashboardNames as string[]).map((n) => on('cloudwatch:DeleteDashboards', globalArn('cloudwatch', `dashboard/${n}`))),
  'cloudwatch:ListDashboards': anyResource('cloudwatch:ListDashboards'),
  'application-autoscaling:DeregisterScalableTarget': (i) => [on('application-autoscaling:DeregisterScalableTarget', scalableTarget, ecsTarget(i))],
  'cloudwatch:GetMetricData': anyResource('cloudwatch:GetMetricData'),
  'ec2:DescribeSubnets': anyResource('ec2:DescribeSubnets'),
  'ec2:DescribeSecurityGroups': anyResource('ec2:DescribeSecurityGroups'),
  'elasticloadbalancing:DescribeTargetGroups': anyResource('elasticloadbalancing:DescribeTargetGroups'),
  'sns:ListTopics': anyResource('sns:ListTopics'),
  'tag:GetResources': anyResource('tag:GetResources'),
  'sts:GetCallerIdentity': anyResource('sts:GetCallerIdentity'),
  // A Target's role; its session tags need sts:TagSession on the same role.
  'sts:AssumeRole': (i) => [
    on('sts:AssumeRole', s(i.RoleArn)),
    ...(i.Tags ? [on('sts:TagSession', s(i.RoleArn), requestTags(tagsOf(i.Tags)))] : []),
  ],
  // A secret's full ARN ends in a random suffix; manifests may leave it out.
  'secretsmanager:DescribeSecret': (i) => [on('secretsmanager:DescribeSecret', `${s(i.SecretId)}-AbCdEf`)],
  'secretsmanager:GetSecretValue': (i) => [on('secretsmanager:GetSecretValue', `${s(i.SecretId)}-AbCdEf`)],
  // The leader lease and the history: one table each, named by the controller's --lease-table and --history-table.
  ...Object.fromEntries(
    [...new Set([...LEASE_OPERATIONS, ...HISTORY_OPERATIONS])].map((op) => [`dynamodb:${op}`, (i: In) => [on(`dynamodb:${op}`, arn('dynamodb', `table/${s(i.TableName)}`))]]),
  ),
  // Change events: one queue, named by the controller's --events-queue.
  ...Object.fromEntries(EVENT_OPERATIONS.map((op) => [`sqs:${op}`, (i: In) => [on(`sqs:${op}`, queueArn(i.QueueUrl))]])),
};

/** The IAM action of a planned call. */
export const actionOf = (call: { service: keyof typeof PREFIX; operation: string }) => `${PREFIX[call.service]}:${call.operation}`;

/** The requests of one call, with the tags the resource it acts on carries (none: it does not exist yet, or is no one's). */
export function requestsOf(call: AwsCall, resourceTags?: Tags): IamRequest[] {
  const mapper = CASES[actionOf(call)];
  if (!mapper) throw new Error(`no IAM case for ${actionOf(call)}: add one to CASES`);
  return mapper(call.input).map((r) => withResourceTags(r, resourceTags));
}

/** Resource tags only apply to the resources that can carry them (not groups, secrets, keys, roles or `*`). */
export function withResourceTags(r: IamRequest, tags: Tags | undefined): IamRequest {
  if (!tags || !/:(service\/|task-definition\/|db:|alarm:)/.test(r.resource)) return r;
  return { ...r, context: { ...r.context, ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v])) } };
}
