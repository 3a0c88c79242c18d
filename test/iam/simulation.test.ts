import { rm } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';
import { iamPolicy, type PolicyScope } from '../../src/iam/policy.js';
import { policiesByTarget } from '../../src/iam/targets.js';
import type { PolicyDocument } from '../../src/iam/document.js';
import type { AwsCall } from '../../src/engine/types.js';
import type { Manifest, RestoreDrill } from '../../src/schema/index.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { DRILL_TAG } from '../../src/drill/instance.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { runCli } from '../support/cli.js';
import { EU, targetRepository, US } from '../support/accounts.js';
import { HAND_CHANGES } from '../support/hand-changes.js';
import { codeOperations } from '../support/code-operations.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';
import { ACCOUNT, decide, type IamRequest } from '../support/iam-simulate.js';
import { actionOf, CASES, EVENT_OPERATIONS, HISTORY_OPERATIONS, LEASE_OPERATIONS, REGION, requestsOf, withResourceTags } from '../support/iam-requests.js';

/**
 * The generated policy, evaluated the way IAM evaluates it (iam-simulate over the service authorization reference),
 * against every request Ballast makes: the calls of a real apply and of a drift fix against the emulator, and the
 * prune, adoption, replica scale-in, drill and read calls, with the tags each resource would carry.
 */

const moto = useMoto();
const ID = 'ballast';
const OWNED = { 'ballast.dev/managed-by': ID };
const OPTED_IN = { ...OWNED, 'ballast.dev/allow-destructive': 'true' };
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

interface Planned {
  call: AwsCall;
  /** Tags of the resource the call acts on; none when it does not exist yet. */
  tags?: Record<string, string>;
}

const callsOf = (json: { actions: { calls: AwsCall[] }[] }) => json.actions.flatMap((a) => a.calls);

/** The creates of a first apply, in order: a later call on a resource made earlier finds the tags it was made with. */
function inOrder(calls: AwsCall[]): Planned[] {
  const made = new Map<string, Record<string, string>>();
  return calls.map((call) => {
    const [first] = requestsOf(call);
    const planned = { call, tags: made.get(first!.resource) };
    const tags = (call.input.tags ?? call.input.Tags) as unknown;
    if (tags && !made.has(first!.resource)) made.set(first!.resource, OWNED);
    return planned;
  });
}

let manifests: Manifest[];

/** desired-state, plus a drill from a snapshot: the estate then exercises every path the code has. */
function everyPath(all: Manifest[]): Manifest[] {
  const drill = all.find((m): m is RestoreDrill => m.kind === 'RestoreDrill')!;
  return [...all, { ...drill, metadata: { name: 'from-snapshot' }, spec: { ...drill.spec, method: 'latest-automated-snapshot' } }];
}
const scenarios: Record<string, Planned[]> = {};

/** The calls the code sends itself rather than through a plan, as it sends them. */
const DRILL_COPY = 'shop-db-drill-202611270500';
const drillTags = { ...OWNED, [DRILL_TAG]: 'shop-db-drill' };
const restoreCommon = { DBInstanceClass: 'db.t4g.medium', DBSubnetGroupName: 'shop-db', DBParameterGroupName: 'default.postgres16', Tags: Object.entries(drillTags).map(([Key, Value]) => ({ Key, Value })) };
const DIRECT: Planned[] = [
  { call: { service: 'tagging', operation: 'GetResources', input: {} } },
  { call: { service: 'ec2', operation: 'DescribeSubnets', input: {} } },
  { call: { service: 'ec2', operation: 'DescribeSecurityGroups', input: {} } },
  { call: { service: 'elbv2', operation: 'DescribeTargetGroups', input: {} } },
  { call: { service: 'sns', operation: 'ListTopics', input: {} } },
  { call: { service: 'sts', operation: 'GetCallerIdentity', input: {} } },
  { call: { service: 'ecs', operation: 'DescribeServices', input: { cluster: 'shop', services: ['storefront', 'worker'] } } },
  { call: { service: 'ecs', operation: 'DescribeTaskDefinition', input: { taskDefinition: 'storefront' } } },
  { call: { service: 'autoscaling', operation: 'DescribeScalableTargets', input: {} } },
  { call: { service: 'autoscaling', operation: 'DescribeScalingPolicies', input: {} } },
  { call: { service: 'autoscaling', operation: 'DescribeScheduledActions', input: {} } },
  { call: { service: 'rds', operation: 'DescribeDBInstances', input: {} } },
  // shop-db's master password secret: its version every reconcile, its value to create and after a rotation.
  { call: { service: 'secretsmanager', operation: 'DescribeSecret', input: { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/shop-db/master' } } },
  { call: { service: 'secretsmanager', operation: 'GetSecretValue', input: { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/shop-db/master' } } },
  { call: { service: 'cloudwatch', operation: 'DescribeAlarms', input: { AlarmNames: ['storefront-cpu-high'] } } },
  { call: { service: 'cloudwatch', operation: 'GetDashboard', input: { DashboardName: 'shop' } } },
  // Prune's discovery: every dashboard listed, the marker of one no manifest names read.
  { call: { service: 'cloudwatch', operation: 'ListDashboards', input: {} } },
  { call: { service: 'cloudwatch', operation: 'GetDashboard', input: { DashboardName: 'old-dashboard' } } },
  { call: { service: 'cloudwatch', operation: 'GetMetricData', input: {} } },
  // A restore drill, from the latest restorable time and from a snapshot; then the copy is unprotected and deleted.
  { call: { service: 'rds', operation: 'DescribeDBSnapshots', input: { DBInstanceIdentifier: 'shop-db' } } },
  { call: { service: 'rds', operation: 'RestoreDBInstanceToPointInTime', input: { ...restoreCommon, SourceDBInstanceIdentifier: 'shop-db', TargetDBInstanceIdentifier: DRILL_COPY } } },
  { call: { service: 'rds', operation: 'RestoreDBInstanceFromDBSnapshot', input: { ...restoreCommon, DBInstanceIdentifier: DRILL_COPY, DBSnapshotIdentifier: 'rds:shop-db-2026-11-27-02-00' } } },
  { call: { service: 'rds', operation: 'ModifyDBInstance', input: { DBInstanceIdentifier: DRILL_COPY, DeletionProtection: false } }, tags: drillTags },
  { call: { service: 'rds', operation: 'DeleteDBInstance', input: { DBInstanceIdentifier: DRILL_COPY, SkipFinalSnapshot: true } }, tags: drillTags },
];

/** Prune of owned resources no manifest names (with the opt-in where it is needed), and a replica scaled in. */
const PRUNE: Planned[] = [
  ...RECONCILERS.EcsService.deleteSteps!('old-api', arn('ecs', 'service/shop/old-api')),
  ...RECONCILERS.DbInstance.deleteSteps!('old-db', arn('rds', 'db:old-db')),
  ...RECONCILERS.Alarm.deleteSteps!('old-alarm', arn('cloudwatch', 'alarm:old-alarm')),
  ...RECONCILERS.Dashboard.deleteSteps!('old-dashboard', 'arn:aws:cloudwatch::1:dashboard/old-dashboard'),
  ...RECONCILERS.ServiceAutoscaling.deleteSteps!('old-api', 'autoscaling:policy/service/shop/old-api/old-api-cpu'),
  ...RECONCILERS.ServiceAutoscaling.deleteSteps!('old-api', 'autoscaling:target/service/shop/old-api'),
].flatMap((step) => step.calls.map((call) => ({ call, tags: OPTED_IN })));
/** Adoption of an existing resource that no controller owns yet, by a manifest that asks for it. */
const adoptionCalls = (all: Manifest[]): Planned[] => {
  const ctx = { controllerId: ID } as never;
  const find = (key: string) => all.find((m) => `${m.kind}/${m.metadata.name}` === key) as never;
  return [
    ...RECONCILERS.EcsService.adoptCalls!(find('EcsService/ballast-controller'), { arn: arn('ecs', 'service/platform/ballast-controller') } as never, ctx),
    ...RECONCILERS.DbInstance.adoptCalls!(find('DbInstance/shop-db'), { arn: arn('rds', 'db:shop-db'), replicas: [] } as never, ctx),
    ...RECONCILERS.Alarm.adoptCalls!(find('Alarm/storefront-cpu-high'), { arn: arn('cloudwatch', 'alarm:storefront-cpu-high') } as never, ctx),
  ].map((call) => ({ call }));
};
const SCALE_IN: Planned[] = RECONCILERS.DbInstance.deleteSteps!('shop-db', arn('rds', 'db:shop-db-replica-3')).flatMap((s) => s.calls.map((call) => ({ call, tags: OWNED })));

async function requests(planned: Planned[]): Promise<IamRequest[]> {
  return planned.flatMap((p) => requestsOf(p.call, p.tags));
}

async function denied(policies: PolicyDocument[], list: IamRequest[]): Promise<string[]> {
  const decisions = await Promise.all(list.map(async (r) => [r, await decide(policies, r)] as const));
  return [...new Set(decisions.filter(([, d]) => d !== 'Allowed').map(([r]) => `${r.action} on ${r.resource} ${JSON.stringify(r.context)}`))];
}

/** The requests of the list that IAM would allow (each named once). */
async function allowed(policies: PolicyDocument[], list: IamRequest[]): Promise<string[]> {
  const decisions = await Promise.all(list.map(async (r) => [r, await decide(policies, r)] as const));
  return [...new Set(decisions.filter(([, d]) => d === 'Allowed').map(([r]) => `${r.action} on ${r.resource}`))];
}

const policyFor = (scope: PolicyScope, extra: { prune?: boolean; manifests?: Manifest[] } = {}) => [
  iamPolicy(extra.manifests ?? manifests, { controllerId: ID, scope, prune: extra.prune }),
];

describe('the IAM policy evaluated the way IAM does', () => {
  beforeAll(async () => {
    manifests = everyPath((await loadRevision('desired-state')).manifests);
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await moto.aws(); // started
    await createNetwork(moto.aws());
    const apply = await runCli(['apply', 'desired-state', '--yes', '--output', 'json', '--poll-interval', '0.05']);
    expect(apply.code, apply.stderr).toBe(0);
    scenarios.create = inOrder(callsOf(apply.json()));
    for (const h of HAND_CHANGES) await h.change(moto.aws());
    const plan = await runCli(['plan', 'desired-state', '--output', 'json']);
    // A commit that opts storefront and shop-db in to destructive changes (a retag), drops a scaling policy and adds
    // a scheduled action; then the commit reverted.
    const edited = await copyDesiredState();
    for (const key of ['EcsService/storefront', 'DbInstance/shop-db']) {
      await editManifest(edited, key, setField(['metadata', 'annotations', 'ballast.dev/allow-destructive'], 'true'));
    }
    await editManifest(edited, 'ServiceAutoscaling/storefront', (doc) => {
      doc.deleteIn(['spec', 'memory']);
      doc.setIn(['spec', 'scheduledActions'], [{ name: 'night', schedule: 'cron(0 22 * * ? *)', minTasks: 3, maxTasks: 4 }]);
    });
    const forward = await runCli(['apply', edited, '--yes', '--output', 'json', '--poll-interval', '0.05']);
    expect(forward.code, forward.stderr).toBe(0);
    await editManifest(edited, 'ServiceAutoscaling/storefront', setField(['spec', 'scheduledActions', 0, 'name'], 'day'));
    const renamed = await runCli(['plan', edited, '--output', 'json']);
    const back = await runCli(['plan', 'desired-state', '--output', 'json']);
    scenarios.update = [plan, forward, renamed, back].flatMap((run) => callsOf(run.json())).map((call) => ({ call, tags: OWNED }));
    await rm(edited, { recursive: true, force: true });
  }, 120_000);

  it('has a case for every AWS operation the code can call, and every case is exercised', async () => {
    const code = await codeOperations();
    expect(code.unresolved).toEqual([]);
    expect([...code.actions].filter((a) => !CASES[a]).sort()).toEqual([]);
    const adopt = adoptionCalls([...manifests, ...(await loadRevision('deploy/ballast-controller.yaml')).manifests]);
    const exercised = new Set([
      ...[...scenarios.create!, ...scenarios.update!, ...DIRECT, ...PRUNE, ...SCALE_IN, ...adopt].map((p) => actionOf(p.call)),
      ...[...LEASE_OPERATIONS, ...HISTORY_OPERATIONS].map((operation) => actionOf({ service: 'dynamodb', operation })),
      ...EVENT_OPERATIONS.map((operation) => actionOf({ service: 'sqs', operation })),
      actionOf({ service: 'sts', operation: 'AssumeRole' }),
    ]);
    expect(Object.keys(CASES).filter((a) => !exercised.has(a))).toEqual([]);
    // The emulator scenarios did run: creates of every kind and a fix of every hand change.
    expect(scenarios.create!.length).toBeGreaterThan(30);
    expect(scenarios.update!.length).toBeGreaterThanOrEqual(HAND_CHANGES.length);
  });

  describe.each(['tags', 'names'] as const)('--scope %s', (scope) => {
    it('allows a full apply of desired-state, the drift fixes, reads and drills', async () => {
      const all = await requests([...scenarios.create!, ...scenarios.update!, ...DIRECT, ...SCALE_IN]);
      expect(await denied(policyFor(scope), all)).toEqual([]);
    });

    it("allows assuming the Targets' roles, with their session tags, and no other role", async () => {
      const { dir } = await targetRepository('ballast');
      const { controller } = policiesByTarget((await loadRevision(dir)).manifests, { controllerId: ID, scope });
      const assume = (roleArn: string) => CASES['sts:AssumeRole']!({ RoleArn: roleArn, RoleSessionName: 'ballast', Tags: [{ Key: 'team', Value: 'platform' }] });
      const roles = [EU, US].map((t) => `arn:aws:iam::${t.account}:role/ballast`);
      expect(await denied([controller], roles.flatMap(assume))).toEqual([]);
      expect(await allowed([controller], assume(`arn:aws:iam::${EU.account}:role/admin`))).toEqual([]);
    });

    it('allows the leader lease calls on the lease table only, and only when a lease table is set', async () => {
      const lease = (table: string) => LEASE_OPERATIONS.flatMap((op) => CASES[`dynamodb:${op}`]!({ TableName: table }));
      const withLease = [iamPolicy(manifests, { controllerId: ID, scope, leaseTable: 'ballast-leases' })];
      expect(await denied(withLease, lease('ballast-leases'))).toEqual([]);
      expect(await allowed(withLease, lease('someone-elses-table'))).toEqual([]);
      expect(await allowed(policyFor(scope), lease('ballast-leases'))).toEqual([]);
    });

    it('allows the history writes on the history table only, and only when a history table is set', async () => {
      const history = (table: string) => HISTORY_OPERATIONS.flatMap((op) => CASES[`dynamodb:${op}`]!({ TableName: table }));
      const withHistory = [iamPolicy(manifests, { controllerId: ID, scope, historyTable: 'ballast-history' })];
      expect(await denied(withHistory, history('ballast-history'))).toEqual([]);
      expect(await allowed(withHistory, history('ballast-leases'))).toEqual([]);
      expect(await allowed(policyFor(scope), history('ballast-history'))).toEqual([]);
    });

    it('allows receiving and deleting change events on the events queue only, and only when an events queue is set', async () => {
      const queue = (name: string) => `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
      const events = (name: string) => EVENT_OPERATIONS.flatMap((op) => CASES[`sqs:${op}`]!({ QueueUrl: queue(name) }));
      const withQueue = [iamPolicy(manifests, { controllerId: ID, scope, eventsQueue: queue('ballast-events') })];
      expect(await denied(withQueue, events('ballast-events'))).toEqual([]);
      expect(await allowed(withQueue, events('someone-elses-queue'))).toEqual([]);
      expect(await allowed(policyFor(scope), events('ballast-events'))).toEqual([]);
    });

    it('allows prune of owned resources that carry the destructive opt-in, only with --prune', async () => {
      const list = await requests(PRUNE);
      expect(await denied(policyFor(scope, { prune: true }), list)).toEqual([]);
      const primary = list.find((r) => r.action === 'rds:DeleteDBInstance')!;
      expect(await decide(policyFor(scope), primary)).not.toBe('Allowed');
    });

    it('denies deleting a primary DB or a service without the destructive opt-in, even with --prune', async () => {
      const list = (await requests(PRUNE.map((p) => ({ ...p, tags: OWNED })))).filter((r) => /DeleteDBInstance|DeleteService/.test(r.action));
      expect(list).toHaveLength(2);
      for (const r of list) expect(await decide(policyFor(scope, { prune: true }), r), r.action).not.toBe('Allowed');
    });

    it('denies every write on a resource of another controller, and creates tagged for another controller', async () => {
      const writes = (await requests([...scenarios.update!, ...PRUNE, ...SCALE_IN])).filter(
        (r) => !/:(Describe|Get|List)/.test(r.action) && /:(service\/|db:|alarm:)/.test(r.resource) && !r.resource.includes('TargetTracking'),
      );
      expect(writes.length).toBeGreaterThan(5);
      const theirs = writes.map((r) => withResourceTags(r, { 'ballast.dev/managed-by': 'other', 'ballast.dev/allow-destructive': 'true' }));
      const policy = policyFor(scope, { prune: true });
      expect(await allowed(policy, theirs)).toEqual([]);
      // Scalable targets are left out: their ownership follows the ECS service (see README, IAM).
      const creates = (await requests(scenarios.create!.filter((p) => !p.tags))).filter(
        (r) => r.context?.['aws:RequestTag/ballast.dev/managed-by'] && !r.action.startsWith('application-autoscaling:'),
      );
      expect(creates.length).toBeGreaterThan(10);
      expect(await allowed(policy, creates.map((r) => ({ ...r, context: { ...r.context, 'aws:RequestTag/ballast.dev/managed-by': 'other' } })))).toEqual([]);
    });

    it('denies updating or deleting a service, DB or alarm that carries no ownership tag', async () => {
      const untagged: IamRequest[] = [
        { action: 'ecs:UpdateService', resource: arn('ecs', 'service/shop/storefront') },
        { action: 'ecs:DeleteService', resource: arn('ecs', 'service/shop/storefront') },
        { action: 'rds:ModifyDBInstance', resource: arn('rds', 'db:shop-db') },
        { action: 'rds:DeleteDBInstance', resource: arn('rds', 'db:shop-db') },
        { action: 'rds:DeleteDBInstance', resource: arn('rds', 'db:shop-db-replica-1') },
        { action: 'cloudwatch:PutMetricAlarm', resource: arn('cloudwatch', 'alarm:storefront-cpu-high') },
        { action: 'cloudwatch:DeleteAlarms', resource: arn('cloudwatch', 'alarm:storefront-cpu-high') },
      ];
      expect(await allowed(policyFor(scope, { prune: true }), untagged)).toEqual([]);
    });

    it('tags an existing untagged service only when its manifest asks for adoption', async () => {
      const controller = (await loadRevision('deploy/ballast-controller.yaml')).manifests;
      const policy = policyFor(scope, { manifests: [...manifests, ...controller] });
      const adopt = (name: string, cluster: string): IamRequest => ({
        action: 'ecs:TagResource',
        resource: arn('ecs', `service/${cluster}/${name}`),
        context: { 'aws:RequestTag/ballast.dev/managed-by': ID, 'aws:TagKeys': ['ballast.dev/managed-by'] },
      });
      expect(await denied(policy, await requests(adoptionCalls([...manifests, ...controller])))).toEqual([]);
      expect(await decide(policy, adopt('ballast-controller', 'platform'))).toBe('Allowed');
      expect(await decide(policy, adopt('storefront', 'shop'))).not.toBe('Allowed');
      // Nor a service another controller owns, even one that asks.
      expect(await decide(policy, withResourceTags(adopt('ballast-controller', 'platform'), { 'ballast.dev/managed-by': 'other' }))).not.toBe('Allowed');
    });

    it('passes the services\' roles to ECS tasks only', async () => {
      const role = `arn:aws:iam::${ACCOUNT}:role/shop-storefront`;
      const pass = (r: string, service: string): IamRequest => ({ action: 'iam:PassRole', resource: r, context: { 'iam:PassedToService': service } });
      const policy = policyFor(scope);
      expect(await decide(policy, pass(role, 'ecs-tasks.amazonaws.com'))).toBe('Allowed');
      expect(await decide(policy, pass(role, 'lambda.amazonaws.com'))).not.toBe('Allowed');
      expect(await decide(policy, pass(`arn:aws:iam::${ACCOUNT}:role/admin`, 'ecs-tasks.amazonaws.com'))).not.toBe('Allowed');
    });
  });

  it('--scope names denies writes to names no manifest states, where --scope tags allows owned ones', async () => {
    const other: IamRequest = withResourceTags({ action: 'ecs:UpdateService', resource: arn('ecs', 'service/shop/new-api') }, OWNED);
    expect(await decide(policyFor('names'), other)).not.toBe('Allowed');
    expect(await decide(policyFor('tags'), other)).toBe('Allowed');
  });
});
