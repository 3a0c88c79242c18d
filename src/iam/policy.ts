import type { Alarm, Dashboard, DbInstance, EcsService, Kind, Manifest, ManifestOf, RestoreDrill, ServiceAutoscaling } from '../schema/index.js';
import { MANAGED_BY_TAG } from '../engine/tags.js';
import { collectRefs, LITERAL } from '../observe/refs.js';
import { finalSnapshotId } from '../reconcilers/db-instance/steps.js';
import { DRILL_TAG } from '../drill/instance.js';

/**
 * The least-privilege IAM policy `ballast run` needs for a set of manifests: only the actions the kinds in use call,
 * on ARN patterns built from the manifests' names, with the ownership tag as a condition wherever the API checks tags.
 * Pure: no AWS calls, so it can be generated and reviewed before anything exists.
 */

export interface IamPolicyOptions {
  /** The ownership tag value the controller writes and checks (its --controller-id). */
  controllerId: string;
  /** The controller runs with --prune: deletes then reach owned resources that no manifest names any more. */
  prune?: boolean;
  /** Narrow every ARN to one account and region; any (`*`) by default. */
  account?: string;
  region?: string;
}

export type Condition = Record<string, Record<string, string | string[]>>;

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Condition;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: Statement[];
}

/** Kinds whose owned resources prune finds through the tagging API and deletes (the others are never pruned). */
export const PRUNED_KINDS: readonly Kind[] = ['EcsService', 'DbInstance', 'Alarm'];

/** IAM's limit for the inline policies of a role, in characters without white space (a managed policy holds 6,144). */
export const INLINE_POLICY_LIMIT = 10_240;

interface Scope {
  account: string;
  region: string;
  /** The resource carries this controller's ownership tag (updates and deletes). */
  owned: Condition;
  /** The request sets this controller's ownership tag (creates, tag-on-create and adoption). */
  tagging: Condition;
  manifests: Manifest[];
  /** Names as ARN parts: themselves, or prefix patterns when the policy would not fit otherwise (see namePatterns). */
  names(names: string[]): string[];
}

/** What the kinds add up: scoped statements (one per Sid), and the read actions that take no resource ARN. */
interface Grants {
  statements: Map<string, Statement>;
  unscoped: Set<string>;
}

const allow = (Sid: string, actions: string[], Resource: string[], Condition?: Condition): Statement => ({
  Sid,
  Effect: 'Allow',
  Action: [...new Set(actions)].sort(),
  Resource,
  ...(Condition && { Condition }),
});

/** Kinds share some statements (e.g. the RDS read): the same Sid is the same statement, added once. */
function add(grants: Grants, ...statements: Statement[]): void {
  for (const st of statements) if (!grants.statements.has(st.Sid)) grants.statements.set(st.Sid, st);
}

const arn = (s: Scope, service: string, resource: string) => `arn:aws:${service}:${s.region}:${s.account}:${resource}`;
/** IAM and CloudWatch dashboards are global: no region in the ARN. */
const globalArn = (s: Scope, service: string, resource: string) => `arn:aws:${service}::${s.account}:${resource}`;

function commonPrefix(names: string[]): string {
  let prefix = names[0] ?? '';
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** The names themselves, or (compact) one `<common prefix>*` per leading word of several names, e.g. `shop-db-*`. */
function namePatterns(names: string[], compact: boolean): string[] {
  const unique = [...new Set(names)].sort();
  if (!compact) return unique;
  const groups = new Map<string, string[]>();
  for (const n of unique) {
    const head = n.split('-')[0]!;
    groups.set(head, [...(groups.get(head) ?? []), n]);
  }
  return [...groups.values()].map((group) => (group.length === 1 ? group[0]! : `${commonPrefix(group)}*`));
}

const roleArn = (s: Scope, role: string) => (role.startsWith('arn:') ? role : globalArn(s, 'iam', `role/${role}`));

/** Creating a service-linked role, the first time an account uses the feature: only that role, only for that service. */
const serviceLinkedRole = (s: Scope, Sid: string, service: string, role: string) =>
  allow(Sid, ['iam:CreateServiceLinkedRole'], [globalArn(s, 'iam', `role/aws-service-role/${service}/${role}`)], {
    StringEquals: { 'iam:AWSServiceName': service },
  });

function ecsStatements(services: EcsService[], s: Scope, grants: Grants): void {
  const names = s.names(services.map((m) => m.metadata.name));
  // Any cluster: moving a service creates it in the new cluster and deletes it (owned) from the old one.
  const byName = names.map((n) => arn(s, 'ecs', `service/*/${n}`));
  // Creates only in the cluster each manifest states.
  const creates = [...new Set(services.map((m) => m.spec.cluster))].flatMap((cluster) =>
    s.names(services.filter((m) => m.spec.cluster === cluster).map((m) => m.metadata.name)).map((n) => arn(s, 'ecs', `service/${cluster}/${n}`)),
  );
  grants.unscoped.add('ecs:DescribeTaskDefinition');
  add(
    grants,
    allow('EcsReadServices', ['ecs:DescribeServices'], byName),
    allow('EcsCreateServices', ['ecs:CreateService'], creates, s.tagging),
    // RegisterTaskDefinition takes no resource ARN; the ownership tag it must carry is what limits it.
    allow('EcsRegisterTaskDefinitions', ['ecs:RegisterTaskDefinition'], ['*'], s.tagging),
    // ECS authorizes the tags of a create as a TagResource call; adoption tags an existing service the same way.
    allow('EcsTagOnCreateAndAdopt', ['ecs:TagResource'], [...byName, ...names.map((n) => arn(s, 'ecs', `task-definition/${n}:*`))], s.tagging),
    allow('EcsChangeOwnedServices', ['ecs:UpdateService', 'ecs:DeleteService', 'ecs:TagResource', 'ecs:UntagResource'], byName, s.owned),
  );
  const roles = [...new Set(services.flatMap((m) => [m.spec.executionRole, m.spec.taskRole]).filter((r): r is string => r !== undefined))];
  if (roles.length > 0) {
    add(
      grants,
      allow('PassTaskRolesToEcsTasks', ['iam:PassRole'], roles.sort().map((r) => roleArn(s, r)), {
        StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' },
      }),
    );
  }
}

function autoscalingStatements(targets: ServiceAutoscaling[], s: Scope, grants: Grants): void {
  for (const a of ['DescribeScalableTargets', 'DescribeScalingPolicies', 'DescribeScheduledActions']) grants.unscoped.add(`application-autoscaling:${a}`);
  grants.unscoped.add('cloudwatch:DescribeAlarms');
  const clusterOf = (service: string) =>
    s.manifests.find((m): m is EcsService => m.kind === 'EcsService' && m.metadata.name === service)?.spec.cluster ?? '*';
  add(
    grants,
    // Scalable target ARNs carry a random id, so the namespace and dimension conditions are what narrow these.
    allow(
      'AutoScalingEcsServiceTargets',
      [
        'application-autoscaling:RegisterScalableTarget',
        // A new target is tagged in the same call, which AWS authorizes as TagResource.
        'application-autoscaling:TagResource',
        'application-autoscaling:PutScalingPolicy',
        'application-autoscaling:DeleteScalingPolicy',
        'application-autoscaling:PutScheduledAction',
        'application-autoscaling:DeleteScheduledAction',
      ],
      [arn(s, 'application-autoscaling', 'scalable-target/*')],
      { StringEquals: { 'application-autoscaling:service-namespace': 'ecs', 'application-autoscaling:scalable-dimension': 'ecs:service:DesiredCount' } },
    ),
    // Target tracking creates and deletes its CloudWatch alarms with the caller's permissions.
    allow(
      'AutoScalingTargetTrackingAlarms',
      ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms'],
      s.names(targets.map((m) => m.spec.service)).map((n) => arn(s, 'cloudwatch', `alarm:TargetTracking-service/${clusterOf(n)}/${n}-*`)),
    ),
    serviceLinkedRole(s, 'AutoScalingServiceLinkedRole', 'ecs.application-autoscaling.amazonaws.com', 'AWSServiceRoleForApplicationAutoScaling_ECSService'),
  );
}

/** A KMS key named in a manifest: its ARN, or for an alias every key, narrowed by the alias condition. */
function kmsKey(s: Scope, ref: string): { resource: string; alias?: string } {
  const alias = /^(?:arn:[^:]+:kms:[^:]*:[^:]*:)?(alias\/.+)$/.exec(ref)?.[1];
  if (alias) return { resource: arn(s, 'kms', 'key/*'), alias };
  return { resource: ref.startsWith('arn:') ? ref : arn(s, 'kms', `key/${ref}`) };
}

/** Customer managed keys the manifests name, used by RDS and Secrets Manager on the caller's behalf. */
function kmsStatements(dbs: DbInstance[], s: Scope): Statement[] {
  const refs = [...new Set(dbs.flatMap((m) => [m.spec.storage.kmsKeyId, m.spec.masterUserSecretKmsKeyId]).filter((k): k is string => k !== undefined))];
  const keys = refs.map((r) => kmsKey(s, r));
  const byArn = keys.flatMap((k) => (k.alias ? [] : [k.resource]));
  const aliases = keys.flatMap((k) => (k.alias ? [k.alias] : []));
  const viaRds = { StringLike: { 'kms:ViaService': ['rds.*.amazonaws.com', 'secretsmanager.*.amazonaws.com'] } };
  const actions = ['kms:DescribeKey', 'kms:CreateGrant', 'kms:Decrypt', 'kms:GenerateDataKey'];
  return [
    ...(byArn.length > 0 ? [allow('KmsKeysForRds', actions, byArn, viaRds)] : []),
    ...(aliases.length > 0
      ? [allow('KmsAliasedKeysForRds', actions, [arn(s, 'kms', 'key/*')], { ...viaRds, 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': aliases } })]
      : []),
    // RDS describes the key of the managed master secret; without one stated that is the aws/secretsmanager key.
    ...(dbs.some((m) => !m.spec.masterUserSecretKmsKeyId)
      ? [
          allow('KmsDescribeSecretsManagerKey', ['kms:DescribeKey'], [arn(s, 'kms', 'key/*')], {
            'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ['alias/aws/secretsmanager'] },
          }),
        ]
      : []),
  ];
}

const identifierOf = (m: DbInstance) => m.spec.identifier ?? m.metadata.name;

/** Creating or moving an instance is authorized on the subnet, parameter and option groups it lands in as well. */
function groupArns(dbs: DbInstance[], s: Scope): string[] {
  return [
    ...new Set([
      ...dbs.flatMap((m) => (m.spec.subnetGroup ? [arn(s, 'rds', `subgrp:${m.spec.subnetGroup}`)] : [])),
      ...dbs.map((m) => arn(s, 'rds', `pg:${m.spec.parameterGroup ?? 'default.*'}`)),
      arn(s, 'rds', 'og:default:*'),
    ]),
  ];
}

/** The batched read filters by identifier, which RDS authorizes as a read of every instance (`db:*`). */
const rdsRead = (s: Scope) => allow('RdsReadInstances', ['rds:DescribeDBInstances'], [arn(s, 'rds', 'db:*')]);

function dbStatements(dbs: DbInstance[], s: Scope, grants: Grants): void {
  const ids = s.names(dbs.map(identifierOf));
  // The primary and its read replicas, `<identifier>-replica-<n>`.
  const instances = ids.flatMap((id) => (id.endsWith('*') ? [arn(s, 'rds', `db:${id}`)] : [arn(s, 'rds', `db:${id}`), arn(s, 'rds', `db:${id}-replica-*`)]));
  // Replicas that follow traffic read the instances' metrics; GetMetricData takes no resource ARN.
  if (dbs.some((m) => m.spec.readReplicas?.target)) grants.unscoped.add('cloudwatch:GetMetricData');
  add(
    grants,
    rdsRead(s),
    // RDS authorizes the tags of a create as an AddTagsToResource call; adoption tags an existing instance the same way.
    allow('RdsCreateAndAdoptInstances', ['rds:CreateDBInstance', 'rds:CreateDBInstanceReadReplica', 'rds:AddTagsToResource'], instances, s.tagging),
    allow('RdsUseGroups', ['rds:CreateDBInstance', 'rds:CreateDBInstanceReadReplica', 'rds:ModifyDBInstance'], groupArns(dbs, s)),
    // AddTagsToResource here: the replica scaler stamps its cooldown on the primary; retagging drops tags the manifest no longer implies.
    allow(
      'RdsChangeOwnedInstances',
      ['rds:ModifyDBInstance', 'rds:DeleteDBInstance', 'rds:AddTagsToResource', 'rds:RemoveTagsFromResource'],
      instances,
      s.owned,
    ),
    // RDS keeps the master password in a secret it creates (named rds!…) in the caller's name.
    allow('RdsManagedMasterSecret', ['secretsmanager:CreateSecret', 'secretsmanager:TagResource'], [arn(s, 'secretsmanager', 'secret:rds!*')]),
    ...kmsStatements(dbs, s),
    serviceLinkedRole(s, 'RdsServiceLinkedRole', 'rds.amazonaws.com', 'AWSServiceRoleForRDS'),
  );
}

/** A drill restores the source's backup into `<source>-drill-<time>`, checks it and deletes it. */
function drillStatements(drills: RestoreDrill[], s: Scope, grants: Grants): void {
  const sourceOf = (d: RestoreDrill) => s.manifests.find((m): m is DbInstance => m.kind === 'DbInstance' && m.metadata.name === d.spec.dbInstance);
  const sources = drills.flatMap((d) => sourceOf(d) ?? []);
  const ids = s.names(
    drills.map((d) => {
      const source = sourceOf(d);
      return source ? identifierOf(source) : d.spec.dbInstance;
    }),
  );
  const sourceArns = ids.map((id) => arn(s, 'rds', `db:${id}`));
  const copies = ids.map((id) => arn(s, 'rds', `db:${id}-drill-*`));
  const fromSnapshot = drills.some((d) => d.spec.method !== 'point-in-time');
  const restores = [
    ...(fromSnapshot ? ['rds:RestoreDBInstanceFromDBSnapshot'] : []),
    ...(drills.some((d) => d.spec.method === 'point-in-time') ? ['rds:RestoreDBInstanceToPointInTime'] : []),
  ];
  const snapshots = fromSnapshot ? [arn(s, 'rds', 'snapshot:*')] : [];
  add(
    grants,
    rdsRead(s),
    ...(fromSnapshot ? [allow('RdsDrillFindSnapshots', ['rds:DescribeDBSnapshots'], [...sourceArns, ...snapshots])] : []),
    // The copy must carry the ownership tag from its first moment (a crash leaves a leftover that is found by it).
    allow('RdsDrillRestore', restores, [...copies, ...sourceArns, ...snapshots], s.tagging),
    allow('RdsDrillTagCopies', ['rds:AddTagsToResource'], copies, s.tagging),
    allow('RdsDrillUseGroups', restores, groupArns(sources, s)),
    // Leftovers of any source are deleted at start, so any `-drill-` name, but only owned drill copies.
    allow('RdsDrillDeleteCopies', ['rds:ModifyDBInstance', 'rds:DeleteDBInstance'], [arn(s, 'rds', 'db:*-drill-*')], {
      ...s.owned,
      Null: { [`aws:ResourceTag/${DRILL_TAG}`]: 'false' },
    }),
  );
}

function alarmStatements(alarms: Alarm[], s: Scope, grants: Grants): void {
  const byName = s.names(alarms.map((m) => m.metadata.name)).map((n) => arn(s, 'cloudwatch', `alarm:${n}`));
  grants.unscoped.add('cloudwatch:DescribeAlarms');
  add(
    grants,
    // PutMetricAlarm creates and replaces alike, so only the names limit it.
    allow('CloudWatchWriteAlarms', ['cloudwatch:PutMetricAlarm'], byName),
    // Tags on PutMetricAlarm are authorized as TagResource; adoption tags an existing alarm the same way.
    allow('CloudWatchTagAlarms', ['cloudwatch:TagResource'], byName, s.tagging),
  );
}

function dashboardStatements(dashboards: Dashboard[], s: Scope, grants: Grants): void {
  const byName = s.names(dashboards.map((m) => m.metadata.name)).map((n) => globalArn(s, 'cloudwatch', `dashboard/${n}`));
  // Dashboards cannot be tagged: the names are the only limit.
  add(grants, allow('CloudWatchDashboards', ['cloudwatch:GetDashboard', 'cloudwatch:PutDashboard'], byName));
}

/** Prune deletes what this controller owns and no manifest names: the ownership tag is the only limit there can be. */
function pruneStatements(s: Scope): Statement[] {
  return [
    allow('PruneOwnedEcsServices', ['ecs:DeleteService'], [arn(s, 'ecs', 'service/*/*')], s.owned),
    // A pruned primary is deleted with a final snapshot, which RDS authorizes on the instance and on the snapshot.
    allow('PruneOwnedDbInstances', ['rds:ModifyDBInstance', 'rds:DeleteDBInstance', 'rds:CreateDBSnapshot'], [arn(s, 'rds', 'db:*')], s.owned),
    allow('PruneFinalSnapshots', ['rds:CreateDBSnapshot', 'rds:AddTagsToResource'], [arn(s, 'rds', `snapshot:${finalSnapshotId('*')}`)]),
    allow('PruneOwnedAlarms', ['cloudwatch:DeleteAlarms'], [arn(s, 'cloudwatch', 'alarm:*')], s.owned),
  ];
}

/** The account lookups the manifests' references need (see resolveRefs): by name only, target groups always. */
function lookupActions(manifests: Manifest[]): string[] {
  const refs = collectRefs(manifests);
  const named = (type: keyof typeof refs) => [...refs[type]].some((r) => !LITERAL[type].test(r));
  return [
    named('subnet') && 'ec2:DescribeSubnets',
    named('securityGroup') && 'ec2:DescribeSecurityGroups',
    refs.targetGroup.size > 0 && 'elasticloadbalancing:DescribeTargetGroups',
    named('topic') && 'sns:ListTopics',
    // Role names become ARNs in the caller's account. (GetCallerIdentity needs no permission; listed so the policy names every call.)
    named('role') && 'sts:GetCallerIdentity',
  ].filter((a): a is string => typeof a === 'string');
}

const BY_KIND: { [K in Kind]: (ms: ManifestOf<K>[], s: Scope, grants: Grants) => void } = {
  EcsService: ecsStatements,
  ServiceAutoscaling: autoscalingStatements,
  DbInstance: dbStatements,
  Alarm: alarmStatements,
  Dashboard: dashboardStatements,
  RestoreDrill: drillStatements,
};

function grantKind<K extends Kind>(kind: K, s: Scope, grants: Grants): void {
  const mine = s.manifests.filter((m) => m.kind === kind) as ManifestOf<K>[];
  if (mine.length > 0) BY_KIND[kind](mine, s, grants);
}

/** Exact names while the policy fits a role's inline policy; past that, names sharing a leading word become one prefix pattern. */
export function iamPolicy(manifests: Manifest[], options: IamPolicyOptions): PolicyDocument {
  const exact = build(manifests, options, false);
  return JSON.stringify(exact).length <= INLINE_POLICY_LIMIT ? exact : build(manifests, options, true);
}

function build(manifests: Manifest[], options: IamPolicyOptions, compact: boolean): PolicyDocument {
  const tag = (key: string) => ({ StringEquals: { [`${key}/${MANAGED_BY_TAG}`]: options.controllerId } });
  const s: Scope = {
    account: options.account ?? '*',
    region: options.region ?? '*',
    owned: tag('aws:ResourceTag'),
    tagging: tag('aws:RequestTag'),
    manifests,
    names: (names) => namePatterns(names, compact),
  };
  // Every reconcile reads the ownership of all kinds with one tagging call.
  const grants: Grants = { statements: new Map(), unscoped: new Set(['tag:GetResources', ...lookupActions(manifests)]) };
  for (const kind of Object.keys(BY_KIND) as Kind[]) grantKind(kind, s, grants);
  if (options.prune) add(grants, ...pruneStatements(s));
  // These list and describe calls support no resource-level permissions: IAM accepts only "*" for them.
  const unscoped = allow('ListAndDescribeWithoutResourceLevelPermissions', [...grants.unscoped], ['*']);
  return { Version: '2012-10-17', Statement: [...grants.statements.values(), unscoped] };
}
