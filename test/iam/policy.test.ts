import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as ecs from '@aws-sdk/client-ecs';
import * as autoscaling from '@aws-sdk/client-application-auto-scaling';
import * as rds from '@aws-sdk/client-rds';
import * as cloudwatch from '@aws-sdk/client-cloudwatch';
import * as ec2 from '@aws-sdk/client-ec2';
import * as elbv2 from '@aws-sdk/client-elastic-load-balancing-v2';
import * as sns from '@aws-sdk/client-sns';
import * as tagging from '@aws-sdk/client-resource-groups-tagging-api';
import * as sts from '@aws-sdk/client-sts';
import type { ServiceName } from '../../src/aws/clients.js';
import { RECONCILED_KINDS } from '../../src/engine/registry.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { iamPolicy, INLINE_POLICY_LIMIT, PRUNED_KINDS, type PolicyDocument, type Statement } from '../../src/iam/policy.js';
import type { Alarm, Manifest, RestoreDrill } from '../../src/schema/index.js';
import { runCli } from '../support/cli.js';

/** The IAM prefix of each SDK client Ballast has, by its key in Aws and by its package. */
const PREFIX: Record<ServiceName, string> = {
  ecs: 'ecs',
  autoscaling: 'application-autoscaling',
  rds: 'rds',
  cloudwatch: 'cloudwatch',
  ec2: 'ec2',
  elbv2: 'elasticloadbalancing',
  sns: 'sns',
  tagging: 'tag',
  sts: 'sts',
};
const MODULES: Record<ServiceName, object> = { ecs, autoscaling, rds, cloudwatch, ec2, elbv2, sns, tagging, sts };
const PACKAGE: Record<string, ServiceName> = {
  '@aws-sdk/client-ecs': 'ecs',
  '@aws-sdk/client-application-auto-scaling': 'autoscaling',
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-elastic-load-balancing-v2': 'elbv2',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-resource-groups-tagging-api': 'tagging',
  '@aws-sdk/client-sts': 'sts',
};

/**
 * Every AWS operation a source file can send, as IAM actions: `new <Op>Command(` resolved through the file's SDK imports,
 * and in files that build planned calls (`service: '<key>'`), each quoted name that is an operation of that client
 * (`operation: 'DeleteAlarms'`, `ecs('UpdateService', …)`, `rds('ModifyDBInstance', …)`). Unresolvable commands are returned apart.
 */
function operationsIn(text: string): { actions: string[]; unresolved: string[] } {
  // Comments on lines of their own mention calls without making them.
  const source = text.replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/^\s*\/\/.*$/gm, '');
  const imported = new Map<string, ServiceName>();
  for (const [, names, pkg] of source.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'(@aws-sdk\/client-[a-z0-9-]+)'/g)) {
    for (const name of names!.split(',')) imported.set(name.trim().replace(/^type\s+/, ''), PACKAGE[pkg!]!);
  }
  const actions: string[] = [];
  const unresolved: string[] = [];
  for (const [, op] of source.matchAll(/new (\w+)Command\(/g)) {
    const service = imported.get(`${op}Command`);
    if (service) actions.push(`${PREFIX[service]}:${op}`);
    else unresolved.push(op!);
  }
  for (const [, key] of source.matchAll(/service: '(\w+)'/g)) {
    const service = key as ServiceName;
    if (!(service in MODULES)) unresolved.push(`service ${key}`);
    else for (const [, op] of source.matchAll(/'([A-Z][A-Za-z0-9]+)'/g)) if (`${op}Command` in MODULES[service]) actions.push(`${PREFIX[service]}:${op}`);
  }
  return { actions, unresolved };
}

async function codeOperations(): Promise<{ actions: Set<string>; unresolved: string[] }> {
  // src/demo bootstraps the emulator's account pieces (VPC, NLB, topic): the controller never makes those calls.
  const files = (await readdir('src', { recursive: true })).filter((f) => f.endsWith('.ts') && !f.startsWith('demo/'));
  const found = await Promise.all(files.map(async (f) => operationsIn(await readFile(path.join('src', f), 'utf8'))));
  return { actions: new Set(found.flatMap((f) => f.actions)), unresolved: found.flatMap((f) => f.unresolved) };
}

const manifests = async (): Promise<Manifest[]> => (await loadRevision('desired-state')).manifests;
const actionsOf = (policy: PolicyDocument) => new Set(policy.Statement.flatMap((s) => s.Action));
const grants = (policy: PolicyDocument, action: string) => policy.Statement.filter((s) => s.Action.includes(action));
const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, '\\$&')).join('.*')}$`);

/** desired-state, plus a drill from a snapshot: the estate then exercises every path the code has. */
async function everyPath(): Promise<Manifest[]> {
  const all = await manifests();
  const drill = all.find((m): m is RestoreDrill => m.kind === 'RestoreDrill')!;
  return [...all, { ...drill, metadata: { name: 'from-snapshot' }, spec: { ...drill.spec, method: 'latest-automated-snapshot' } }];
}

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
      ]),
    );
    // Prune finds what it deletes by tag: only kinds with a tagging type delete, and those are the ones granted.
    expect(RECONCILED_KINDS.filter((k) => RECONCILERS[k].deleteSteps)).toEqual(PRUNED_KINDS);
    expect(RECONCILED_KINDS.filter((k) => RECONCILERS[k].deleteSteps && !RECONCILERS[k].taggingType)).toEqual([]);
    const granted = actionsOf(iamPolicy(await everyPath(), { controllerId: 'ballast', prune: true }));
    expect([...code.actions].filter((a) => !granted.has(a))).toEqual([]);
  });

  it('never grants a wildcard action', async () => {
    const policy = iamPolicy(await everyPath(), { controllerId: 'ballast', prune: true });
    for (const action of actionsOf(policy)) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+$/);
  });

  it('grants on every resource only reads, or writes that a condition limits', async () => {
    const policy = iamPolicy(await everyPath(), { controllerId: 'ballast', prune: true });
    const anyResource = policy.Statement.filter((s) => s.Resource.includes('*'));
    expect(anyResource.length).toBeGreaterThan(0);
    for (const s of anyResource) if (!s.Condition) for (const a of s.Action) expect(a).toMatch(/:(Describe|List|Get)[A-Za-z]*$/);
  });

  it('lets ECS services and RDS instances be changed or deleted only while they carry the ownership tag', async () => {
    const policy = iamPolicy(await everyPath(), { controllerId: 'shop', prune: true });
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
    const policy = iamPolicy(await manifests(), { controllerId: 'ballast' });
    const deletes = policy.Statement.filter((s: Statement) => s.Action.some((a) => /:Delete/.test(a)));
    for (const s of deletes) for (const r of s.Resource) expect(r, s.Sid).not.toMatch(/(service\/\*\/\*|:db:\*|:alarm:\*)$/);
    expect(grants(policy, 'cloudwatch:DeleteAlarms').flatMap((s) => s.Resource)).toEqual(
      expect.arrayContaining(['arn:aws:cloudwatch:*:*:alarm:TargetTracking-service/shop/storefront-*']),
    );
  });

  it('with prune, lets an owned service that no manifest names be deleted but not changed', async () => {
    const policy = iamPolicy(await manifests(), { controllerId: 'ballast', prune: true });
    const anyService = 'arn:aws:ecs:*:*:service/*/*';
    expect(grants(policy, 'ecs:DeleteService').flatMap((s) => s.Resource)).toContain(anyService);
    expect(grants(policy, 'ecs:UpdateService').flatMap((s) => s.Resource)).not.toContain(anyService);
  });

  it('collapses names into prefixes only past the inline policy limit, still covering every name', async () => {
    const template = (await manifests()).find((m): m is Alarm => m.kind === 'Alarm')!;
    const names = Array.from({ length: 150 }, (_, i) => `team${i % 5}-latency-${i}`);
    const alarms = names.map((name) => ({ ...template, metadata: { name } }));
    const policy = iamPolicy(alarms, { controllerId: 'ballast', account: '123456789012', region: 'eu-west-1' });
    expect(JSON.stringify(policy).length).toBeLessThanOrEqual(INLINE_POLICY_LIMIT);
    const put = policy.Statement.find((s) => s.Sid === 'CloudWatchWriteAlarms');
    expect(put!.Resource).toHaveLength(5);
    for (const n of names) expect(put!.Resource.some((p) => glob(p).test(`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${n}`)), n).toBe(true);
    // The shop's estate fits with its exact names.
    expect(iamPolicy(await manifests(), { controllerId: 'ballast' }).Statement.find((s) => s.Sid === 'CloudWatchWriteAlarms')!.Resource).toContain(
      'arn:aws:cloudwatch:*:*:alarm:storefront-cpu-high',
    );
  });

  it('prints the policy document on stdout, ready for aws iam put-role-policy', async () => {
    const run = await runCli(['iam-policy', 'desired-state', '--controller-id', 'shop', '--prune']);
    expect(run.code).toBe(0);
    expect(run.json()).toEqual(iamPolicy(await manifests(), { controllerId: 'shop', prune: true }));
    expect(run.stderr).toMatch(/actions in \d+ statements/);
    const json = await runCli(['iam-policy', '--output', 'json']);
    expect(json.json()).toEqual(iamPolicy(await manifests(), { controllerId: 'ballast', prune: false }));
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
});
