import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECONCILED_KINDS } from '../../src/engine/registry.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { iamPolicy, PRUNED_KINDS, type PolicyDocument, type Statement } from '../../src/iam/policy.js';
import { INLINE_POLICY_LIMIT, MANAGED_POLICY_LIMIT } from '../../src/iam/limits.js';
import { codeOperations } from '../support/code-operations.js';
import type { Alarm, Manifest, RestoreDrill, Target } from '../../src/schema/index.js';
import { runCli } from '../support/cli.js';

const manifests = async (): Promise<Manifest[]> => (await loadRevision('desired-state')).manifests;
const actionsOf = (policy: PolicyDocument) => new Set(policy.Statement.flatMap((s) => s.Action));
const grants = (policy: PolicyDocument, action: string) => policy.Statement.filter((s) => s.Action.includes(action));
const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`);

/** desired-state, plus a drill from a snapshot: the estate then exercises every path the code has. */
async function everyPath(): Promise<Manifest[]> {
  const all = await manifests();
  const drill = all.find((m): m is RestoreDrill => m.kind === 'RestoreDrill')!;
  const target: Target = {
    apiVersion: drill.apiVersion,
    kind: 'Target',
    metadata: { name: 'other-account' },
    spec: { accountId: '111111111111', region: 'eu-west-1', roleArn: 'arn:aws:iam::111111111111:role/ballast' },
  };
  return [...all, { ...drill, metadata: { name: 'from-snapshot' }, spec: { ...drill.spec, method: 'latest-automated-snapshot' } }, target];
}

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/ballast-events';

describe('ballast iam-policy', () => {
  it('grants every AWS operation the code can call for the estate', async () => {
    const code = await codeOperations();
    expect(code.unresolved).toEqual([]);
    // The scan itself must see the calls of every layer, or the check below proves nothing.
    expect([...code.actions]).toEqual(
      expect.arrayContaining([
        'ecs:CreateService',
        'ecs:DescribeTaskDefinition',
        'application-autoscaling:PutScalingPolicy',
        'rds:CreateDBInstanceReadReplica',
        'rds:RestoreDBInstanceFromDBSnapshot',
        'cloudwatch:DeleteAlarms',
        'ec2:DescribeSubnets',
        'elasticloadbalancing:DescribeTargetGroups',
        'sns:ListTopics',
        'tag:GetResources',
        'sts:GetCallerIdentity',
        'dynamodb:PutItem',
        'sqs:ReceiveMessage',
        'sqs:DeleteMessage',
      ]),
    );
    // Prune finds what it deletes by tag or by a kind's own discovery, and those kinds are the ones granted.
    expect(RECONCILED_KINDS.filter((k) => RECONCILERS[k].deleteSteps)).toEqual(PRUNED_KINDS);
    expect(RECONCILED_KINDS.filter((k) => RECONCILERS[k].deleteSteps && !RECONCILERS[k].taggingType && !RECONCILERS[k].discoverOwned)).toEqual([]);
    const granted = actionsOf(iamPolicy(await everyPath(), { controllerId: 'ballast', prune: true, leaseTable: 'ballast-leases', historyTable: 'ballast-history', eventsQueue: QUEUE }));
    expect([...code.actions].filter((a) => !granted.has(a))).toEqual([]);
  });

  it('never grants a wildcard action', async () => {
    const policy = iamPolicy(await everyPath(), { controllerId: 'ballast', prune: true });
    for (const action of actionsOf(policy)) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
  });

  it('grants on every resource only reads, or writes that a condition limits', async () => {
    const policy = iamPolicy(await everyPath(), { controllerId: 'ballast', prune: true });
    const unconditioned = policy.Statement.filter((s) => s.Resource.includes('*') && !s.Condition);
    expect(unconditioned.map((s) => s.Sid)).toEqual(['ListAndDescribeWithoutResourceLevelPermissions']);
    for (const a of unconditioned[0]!.Action) expect(a).toMatch(/:(Describe|List|Get)[A-Za-z]*$/);
  });

  it.each(['tags', 'names'] as const)('--scope %s lets ECS services and RDS instances be changed or deleted only while they carry the ownership tag', async (scope) => {
    const policy = iamPolicy(await everyPath(), { controllerId: 'shop', prune: true, scope });
    for (const action of ['ecs:UpdateService', 'ecs:DeleteService', 'rds:ModifyDBInstance', 'rds:DeleteDBInstance']) {
      // RDS also authorizes a modify on the groups an instance is moved into: those statements name no instance.
      const onInstances = grants(policy, action).filter((s) => s.Resource.some((r) => /:service\/|:db:/.test(r)));
      expect(onInstances.length, action).toBeGreaterThan(0);
      for (const s of onInstances) expect(s.Condition?.StringEquals?.['aws:ResourceTag/ballast.dev/managed-by'], `${action} in ${s.Sid}`).toBe('shop');
    }
  });

  it('creates only with the ownership tag in the request', async () => {
    const policy = iamPolicy(await manifests(), { controllerId: 'shop' });
    for (const action of ['ecs:CreateService', 'ecs:RegisterTaskDefinition', 'rds:CreateDBInstance', 'cloudwatch:TagResource']) {
      const onResources = grants(policy, action).filter((s) => !s.Resource.some((r) => /:(subgrp|pg|og):/.test(r)));
      expect(onResources.length, action).toBeGreaterThan(0);
      for (const s of onResources) expect(s.Condition?.StringEquals?.['aws:RequestTag/ballast.dev/managed-by'], `${action} in ${s.Sid}`).toBe('shop');
    }
  });

  it('grants nothing on ECS or RDS for manifests with only alarms', async () => {
    const alarms = (await manifests()).filter((m): m is Alarm => m.kind === 'Alarm');
    const actions = [...actionsOf(iamPolicy(alarms, { controllerId: 'ballast' }))];
    expect(actions.filter((a) => /^(ecs|rds|application-autoscaling|iam):/.test(a))).toEqual([]);
    expect(actions).toEqual(expect.arrayContaining(['cloudwatch:PutMetricAlarm', 'cloudwatch:DescribeAlarms', 'tag:GetResources']));
  });

  it('passes only the roles the services name, and only to ECS tasks', async () => {
    const [passRole] = grants(iamPolicy(await manifests(), { controllerId: 'ballast', account: '123456789012' }), 'iam:PassRole');
    expect(passRole!.Resource).toEqual([
      'arn:aws:iam::123456789012:role/ecsTaskExecutionRole',
      'arn:aws:iam::123456789012:role/shop-catalog',
      'arn:aws:iam::123456789012:role/shop-checkout',
      'arn:aws:iam::123456789012:role/shop-storefront',
      'arn:aws:iam::123456789012:role/shop-worker',
    ]);
    expect(passRole!.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
  });

  it('without prune, deletes reach only what the manifests name (and drill copies)', async () => {
    const policy = iamPolicy(await manifests(), { controllerId: 'ballast', scope: 'names' });
    const deletes = policy.Statement.filter((s: Statement) => s.Action.some((a) => /:Delete/.test(a)));
    for (const s of deletes) for (const r of s.Resource) expect(r, s.Sid).not.toMatch(/(service\/\*\/\*|:db:\*|:alarm:\*)$/);
    expect(grants(policy, 'cloudwatch:DeleteAlarms').flatMap((s) => s.Resource)).toEqual(
      expect.arrayContaining(['arn:aws:cloudwatch:*:*:alarm:TargetTracking-service/shop/storefront-*']),
    );
  });

  it('with prune, lets an owned service that no manifest names be deleted but not changed', async () => {
    const policy = iamPolicy(await manifests(), { controllerId: 'ballast', prune: true, scope: 'names' });
    const anyService = 'arn:aws:ecs:*:*:service/*/*';
    expect(grants(policy, 'ecs:DeleteService').flatMap((s) => s.Resource)).toContain(anyService);
    expect(grants(policy, 'ecs:UpdateService').flatMap((s) => s.Resource)).not.toContain(anyService);
  });

  it('collapses names into prefixes only past the inline policy limit, still covering every name', async () => {
    const template = (await manifests()).find((m): m is Alarm => m.kind === 'Alarm')!;
    const names = Array.from({ length: 150 }, (_, i) => `team${i % 5}-latency-${i}`);
    const alarms = names.map((name) => ({ ...template, metadata: { name } }));
    const policy = iamPolicy(alarms, { controllerId: 'ballast', account: '123456789012', region: 'eu-west-1', scope: 'names' });
    expect(JSON.stringify(policy).length).toBeLessThanOrEqual(INLINE_POLICY_LIMIT);
    const put = policy.Statement.find((s) => s.Sid === 'CloudWatchChangeOwnedAlarms');
    expect(put!.Resource).toHaveLength(5);
    for (const n of names) expect(put!.Resource.some((p) => glob(p).test(`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${n}`)), n).toBe(true);
    // The shop's estate fits with its exact names.
    expect(iamPolicy(await manifests(), { controllerId: 'ballast', scope: 'names' }).Statement.find((s) => s.Sid === 'CloudWatchChangeOwnedAlarms')!.Resource).toContain(
      'arn:aws:cloudwatch:*:*:alarm:storefront-cpu-high',
    );
  });

  it('prints the policy document on stdout, ready for aws iam put-role-policy, scoped by tags unless asked for names', async () => {
    const run = await runCli(['iam-policy', 'desired-state', '--controller-id', 'shop', '--prune', '--account', '123456789012', '--region', 'eu-west-1']);
    expect(run.code).toBe(0);
    const policy = run.json<PolicyDocument>();
    expect(policy.Version).toBe('2012-10-17');
    const sid = (id: string) => policy.Statement.find((s) => s.Sid === id);
    // Tags scope: any service of the account and region, as long as it is this controller's.
    expect(sid('EcsChangeOwnedServices')).toMatchObject({
      Resource: ['arn:aws:ecs:eu-west-1:123456789012:service/*/*'],
      Condition: { StringEquals: { 'aws:ResourceTag/ballast.dev/managed-by': 'shop' } },
    });
    expect(sid('PruneOwnedDbInstances')?.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/ballast.dev/managed-by': 'shop', 'aws:ResourceTag/ballast.dev/allow-destructive': 'true' },
    });
    expect(run.stderr).toMatch(/actions in \d+ statements .*scope tags, with prune/);
    const names = (await runCli(['iam-policy', '--output', 'json', '--scope', 'names'])).json<PolicyDocument>();
    expect(names.Statement.find((s) => s.Sid === 'EcsChangeOwnedServices')!.Resource).toEqual([
      'arn:aws:ecs:*:*:service/*/catalog',
      'arn:aws:ecs:*:*:service/*/checkout',
      'arn:aws:ecs:*:*:service/*/storefront',
      'arn:aws:ecs:*:*:service/*/worker',
    ]);
    expect(names.Statement.some((s) => s.Sid.startsWith('Prune'))).toBe(false);
  });

  it('takes the partition from the region', async () => {
    const run = await runCli(['iam-policy', '--region', 'cn-north-1']);
    const arns = run.json<PolicyDocument>().Statement.flatMap((s) => s.Resource).filter((r) => r !== '*');
    expect(arns.length).toBeGreaterThan(10);
    for (const r of arns) expect(r).toMatch(/^arn:aws-cn:/);
    expect(run.json<PolicyDocument>().Statement.find((s) => s.Sid === 'RdsReadInstances')!.Resource).toEqual(['arn:aws-cn:rds:cn-north-1:*:db:*']);
    const gov = (await runCli(['iam-policy', '--region', 'us-gov-west-1'])).json<PolicyDocument>();
    expect(gov.Statement.find((s) => s.Sid === 'RdsReadInstances')!.Resource).toEqual(['arn:aws-us-gov:rds:us-gov-west-1:*:db:*']);
  });

  describe('--check', () => {
    const withPolicy = async (policy: unknown, argv: string[] = []) => {
      const dir = await mkdtemp(path.join(tmpdir(), 'ballast-check-'));
      try {
        await writeFile(path.join(dir, 'deployed.json'), JSON.stringify(policy));
        return await runCli(['iam-policy', 'desired-state', '--check', path.join(dir, 'deployed.json'), ...argv]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };

    it.each(['tags', 'names'] as const)('passes a deployed --scope %s policy', async (scope) => {
      const deployed = (await runCli(['iam-policy', '--scope', scope, '--prune'])).json();
      const run = await withPolicy(deployed);
      expect(run.stdout).toContain('grants everything the 25 manifests need');
      expect(run.code).toBe(0);
    });

    it('finds a removed grant and exits 2 listing it', async () => {
      const deployed = (await runCli(['iam-policy'])).json<PolicyDocument>();
      const statement = deployed.Statement.find((s) => s.Sid === 'EcsChangeOwnedServices')!;
      statement.Action = statement.Action.filter((a) => a !== 'ecs:UpdateService');
      const run = await withPolicy(deployed, ['--output', 'json']);
      expect(run.code).toBe(2);
      const out = run.json<{ ok: boolean; missing: { action: string; resource: string }[] }>();
      expect(out.ok).toBe(false);
      expect(out.missing.map((m) => `${m.action} ${m.resource}`)).toEqual([
        'ecs:UpdateService arn:aws:ecs:*:*:service/*/catalog',
        'ecs:UpdateService arn:aws:ecs:*:*:service/*/checkout',
        'ecs:UpdateService arn:aws:ecs:*:*:service/*/storefront',
        'ecs:UpdateService arn:aws:ecs:*:*:service/*/worker',
      ]);
    });

    it('does not take a looser condition for the one the manifests need, nor a grant an explicit deny takes back', async () => {
      const deployed = (await runCli(['iam-policy'])).json<PolicyDocument>();
      const owned = deployed.Statement.find((s) => s.Sid === 'EcsChangeOwnedServices')!;
      owned.Condition = { StringEquals: { 'aws:ResourceTag/ballast.dev/managed-by': 'someone-else' } };
      expect((await withPolicy(deployed)).code).toBe(2);
      const full = (await runCli(['iam-policy'])).json<PolicyDocument>();
      const denied = { ...full, Statement: [...full.Statement, { Effect: 'Deny', Action: 'rds:*', Resource: '*' }] };
      const run = await withPolicy(denied);
      expect(run.code).toBe(2);
      expect(run.stdout).toContain('rds:CreateDBInstance on');
    });

    it('exits 1 when the file is not a policy', async () => {
      const run = await withPolicy({ hello: 'world' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('not an IAM policy document');
    });
  });

  describe('size limits', () => {
    const alarmsNamed = async (count: number, name: (i: number) => string) => {
      const spec = { metric: { namespace: 'AWS/ECS', name: 'CPUUtilization', statistic: 'Average', period: 60 }, evaluationPeriods: 1, threshold: 90, comparison: 'GreaterThanThreshold' };
      const dir = await mkdtemp(path.join(tmpdir(), 'ballast-limits-'));
      const docs = Array.from({ length: count }, (_, i) => ({ apiVersion: 'ballast.dev/v1alpha1', kind: 'Alarm', metadata: { name: name(i) }, spec }));
      await writeFile(path.join(dir, 'alarms.yaml'), docs.map((d) => JSON.stringify(d)).join('\n---\n'));
      return dir;
    };

    it('splits a policy past the inline limit into managed policies that each fit, and --check accepts them together', async () => {
      // Names with nothing in common cannot be collapsed into prefixes.
      const dir = await alarmsNamed(400, (i) => `${String.fromCharCode(97 + (i % 26))}${i}x-alarm`);
      try {
        const run = await runCli(['iam-policy', dir, '--scope', 'names']);
        expect(run.code, run.stderr).toBe(0);
        const managed = run.json<PolicyDocument[]>();
        expect(managed.length).toBeGreaterThan(1);
        for (const doc of managed) expect(JSON.stringify(doc).length).toBeLessThanOrEqual(MANAGED_POLICY_LIMIT);
        expect(run.stderr).toContain(`printed as ${managed.length} managed policies`);
        const file = path.join(dir, 'deployed.json');
        await writeFile(file, JSON.stringify(managed));
        expect((await runCli(['iam-policy', dir, '--check', file])).code).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('exits 1 with a clear message when even ten managed policies cannot hold it', async () => {
      const dir = await alarmsNamed(2500, (i) => `${String.fromCharCode(97 + (i % 26))}${i}x-alarm`);
      try {
        const run = await runCli(['iam-policy', dir, '--scope', 'names']);
        expect(run.code).toBe(1);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(/needs \d+ managed policies of 6144 characters, more than the 10 a role may have/);
        // The same estate fits by tags.
        expect((await runCli(['iam-policy', dir])).code).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });

  it('prints no policy for an invalid revision', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ballast-iam-'));
    try {
      await writeFile(path.join(dir, 'bad.yaml'), 'apiVersion: ballast.dev/v1alpha1\nkind: Alarm\nmetadata: {name: x}\nspec: {}\n');
      const run = await runCli(['iam-policy', dir]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain('bad.yaml:');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('--events-queue adds receiving and deleting on that queue only, and refuses what is not a queue URL', async () => {
    const run = await runCli(['iam-policy', '--events-queue', QUEUE]);
    expect(run.code).toBe(0);
    const policy = run.json<PolicyDocument>();
    expect(policy.Statement.find((s) => s.Sid === 'ChangeEventsQueue')).toEqual({
      Sid: 'ChangeEventsQueue',
      Effect: 'Allow',
      Action: ['sqs:DeleteMessage', 'sqs:ReceiveMessage'],
      Resource: ['arn:aws:sqs:eu-west-1:123456789012:ballast-events'],
    });
    expect([...actionsOf((await runCli(['iam-policy'])).json<PolicyDocument>())]).not.toContain('sqs:ReceiveMessage');
    const bad = await runCli(['iam-policy', '--events-queue', 'ballast-events']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/ballast-events is not an SQS queue URL/);
  });
});
