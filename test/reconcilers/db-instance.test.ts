import { beforeAll, describe, expect, it } from 'vitest';
import {
  AddTagsToResourceCommand,
  DescribeDBSnapshotsCommand,
  ModifyDBInstanceCommand,
  type DBInstance,
  type ModifyDBInstanceCommandInput,
} from '@aws-sdk/client-rds';
import { createAws, type Aws } from '../../src/aws/clients.js';
import type { DbInstance, Manifest } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { createSession, manifestIndex } from '../../src/observe/context.js';
import { observeContext } from '../support/context.js';
import { sendCall } from '../../src/apply/send.js';
import { ResourceFailure, type Context, type Step } from '../../src/engine/types.js';
import { PASSWORD_VERSION_TAG } from '../../src/reconcilers/db-instance/master-password.js';
import { ALLOW_DESTRUCTIVE_TAG, MANAGED_BY_TAG, MANIFEST_TAG, asKeyValue, ownershipTags } from '../../src/engine/tags.js';
import { dbInstance, nameOf, type LiveDbInstance } from '../../src/reconcilers/db-instance/index.js';
import { toLive } from '../../src/reconcilers/db-instance/observe.js';
import { statusHealth } from '../../src/reconcilers/db-instance/health.js';
import { useMoto } from '../support/moto.js';
import { createNetwork, type Network } from '../../src/demo/network.js';
import { buildShopDb, createReplica } from '../support/estate/db-instance.js';
import { buildPlan } from '../../src/plan/index.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { isDrift, renderPlan } from '../../src/report/plan-text.js';

const moto = useMoto();
let desired: Manifest[];

beforeAll(async () => {
  desired = (await loadRevision('desired-state')).manifests;
});

/** desired-state/'s shop-db, optionally edited (a private copy). */
function shopDb(edit: (spec: DbInstance['spec']) => void = () => {}): DbInstance {
  const m = structuredClone(desired.find((x): x is DbInstance => x.kind === 'DbInstance' && x.metadata.name === 'shop-db')!);
  edit(m.spec);
  return m;
}

const fixedReplicas = (count: number) => (spec: DbInstance['spec']) => {
  spec.readReplicas = { count, instanceClass: 'db.r6g.large' };
};

async function observe(aws: Aws, m: DbInstance = shopDb()) {
  const ctx = await observeContext(createSession(aws, { controllerId: 'ballast' }), [...desired.filter((x) => x.kind !== 'DbInstance'), m], ['rds:db']);
  return { ctx, observed: await dbInstance.observe([m], ctx) };
}

async function liveOf(aws: Aws, m: DbInstance = shopDb()) {
  const { ctx, observed } = await observe(aws, m);
  const o = observed.get(m.metadata.name);
  if (o?.state !== 'found') throw new Error(`${m.metadata.name} is ${JSON.stringify(o)}`);
  return { ctx, live: o.live, owned: o.owned };
}

async function apply(aws: Aws, steps: Step[]) {
  for (const call of steps.flatMap((s) => s.calls)) await sendCall(aws, call);
}

const rdsInputs = (aws: Aws, operation: string) =>
  aws.counter.calls.filter((c) => c.service === 'rds' && c.operation === operation).map((c) => c.input as Record<string, unknown>);

const modify = (aws: Aws, input: Omit<ModifyDBInstanceCommandInput, 'DBInstanceIdentifier'>) =>
  aws.rds.send(new ModifyDBInstanceCommand({ DBInstanceIdentifier: 'shop-db', ApplyImmediately: true, ...input }));

describe('DbInstance reconciler against the emulator', () => {
  it('sees no change on shop-db and its replica built by hand to match desired-state/', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired);
    const { ctx, live, owned } = await liveOf(aws);
    expect(owned).toBe(true);
    expect(live).toMatchObject({ engineVersion: '16.3', manageMasterUserPassword: false, secretVersion: expect.any(String), status: 'available' });
    expect(live.replicas).toMatchObject([{ identifier: 'shop-db-replica-1', index: 1, owned: true, status: 'available' }]);
    expect(dbInstance.diff(shopDb(), live, ctx)).toEqual([]);
    await expect(dbInstance.health(shopDb(), ctx)).resolves.toMatchObject({ steady: true });
  });

  it('reads 100 primaries a call, then all their replicas in one more call', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired, { replicas: 2 });
    const others = Array.from({ length: 149 }, (_, i) => {
      const m = shopDb();
      m.metadata.name = `orders-${i + 1}`;
      return m;
    });
    const ctx = await observeContext(createSession(aws, { controllerId: 'ballast' }), [shopDb(), ...others], ['rds:db']);
    aws.counter.reset();
    const observed = await dbInstance.observe([shopDb(), ...others], ctx);
    const reads = rdsInputs(aws, 'DescribeDBInstances') as { Filters: { Values: string[] }[] }[];
    // The two primary batches run concurrently, so they may finish in either order; replicas come after both.
    const sizes = reads.map((r) => r.Filters[0]!.Values.length);
    expect([...sizes.slice(0, 2)].sort((a, b) => b - a)).toEqual([100, 50]);
    expect(sizes[2]).toBe(2);
    expect(observed.get('shop-db')).toMatchObject({ state: 'found', live: { replicas: [{ index: 1 }, { index: 2 }] } });
    expect(observed.get('orders-149')).toEqual({ state: 'missing' });
  });

  it('marks every DbInstance as an error when RDS cannot be read, without throwing', async () => {
    const { ctx } = await observe(moto.aws());
    const unreachable = createAws({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', maxAttempts: 1 });
    const observed = await dbInstance.observe([shopDb()], { ...ctx, aws: unreachable });
    expect(observed.get('shop-db')).toMatchObject({ state: 'error', error: { terminal: false } });
  });

  const drift: [string, (net: Network) => Omit<ModifyDBInstanceCommandInput, 'DBInstanceIdentifier'>, (net: Network) => unknown][] = [
    ['backup retention lowered', () => ({ BackupRetentionPeriod: 7 }), () => ({ path: 'spec.backup.retentionDays', live: 7, desired: 14 })],
    ['automated backups turned off', () => ({ BackupRetentionPeriod: 0 }), () => ({ path: 'spec.backup.retentionDays', live: 0, desired: 14 })],
    ['Multi-AZ turned off', () => ({ MultiAZ: false }), () => ({ path: 'spec.multiAZ', live: false, desired: true })],
    ['deletion protection turned off', () => ({ DeletionProtection: false }), () => ({ path: 'spec.deletionProtection', live: false, desired: true })],
    ['instance class changed', () => ({ DBInstanceClass: 'db.r6g.xlarge' }), () => ({ path: 'spec.instanceClass', live: 'db.r6g.xlarge', desired: 'db.r6g.large' })],
    [
      'security group swapped',
      (net) => ({ VpcSecurityGroupIds: [net.securityGroups['shop-services']!] }),
      (net) => ({ path: 'spec.securityGroups', live: [net.securityGroups['shop-services']], desired: [net.securityGroups['shop-db']] }),
    ],
  ];
  it.each(drift)('reports %s by hand as exactly that change', async (_what, change, expected) => {
    const aws = moto.aws();
    const net = await createNetwork(aws);
    await buildShopDb(aws, net, desired);
    await modify(aws, change(net));
    const { ctx, live } = await liveOf(aws);
    expect(dbInstance.diff(shopDb(), live, ctx)).toEqual([expected(net)]);
  });

  it('ignores what the manifest does not state: a foreign tag, the CA certificate, minor version upgrades', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired);
    const { live: before } = await liveOf(aws);
    await aws.rds.send(new AddTagsToResourceCommand({ ResourceName: before.arn, Tags: [{ Key: 'cost-center', Value: '42' }] }));
    await modify(aws, { CACertificateIdentifier: 'rds-ca-rsa2048-g1', AutoMinorVersionUpgrade: false });
    const { ctx, live } = await liveOf(aws);
    expect(live.tags['cost-center']).toBe('42');
    expect(dbInstance.diff(shopDb(), live, ctx)).toEqual([]);
  });

  it.each([false, true])('sends a class change as one ModifyDBInstance with ApplyImmediately %s, as the manifest says', async (now) => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired);
    const m = shopDb((s) => {
      s.instanceClass = 'db.r6g.xlarge';
      s.applyImmediately = now;
    });
    const { ctx, live } = await liveOf(aws, m);
    const changes = dbInstance.diff(m, live, ctx);
    expect(changes).toEqual([{ path: 'spec.instanceClass', live: 'db.r6g.large', desired: 'db.r6g.xlarge' }]);
    aws.counter.reset();
    await apply(aws, dbInstance.steps(m, live, changes, ctx));
    expect(aws.counter.writes().map((c) => c.input)).toEqual([
      { DBInstanceIdentifier: 'shop-db', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: now },
    ]);
  });

  it('creates shop-db and its replica on an empty estate, tagged, the password read from the secret only to send it, then sees no change', async () => {
    const aws = moto.aws();
    await createNetwork(aws);
    const { ctx, observed } = await observe(aws);
    expect(observed.get('shop-db')).toEqual({ state: 'missing' });
    const steps = dbInstance.steps(shopDb(), undefined, [], ctx);
    expect(steps.map((s) => [s.part, s.op, s.after])).toEqual([
      ['primary', 'create', undefined],
      ['replica-1', 'create', ['primary']],
    ]);
    aws.counter.reset();
    await apply(aws, steps);
    // One read of the value, for the create; the call record keeps a mask, and the version went on as a tag.
    expect(aws.counter.calls.filter((c) => c.operation === 'GetSecretValue')).toHaveLength(1);
    expect(rdsInputs(aws, 'CreateDBInstance')[0]).toMatchObject({ MasterUserPassword: '(sensitive)', StorageEncrypted: true });
    expect(rdsInputs(aws, 'CreateDBInstance')[0]).not.toHaveProperty('ManageMasterUserPassword');

    const { ctx: after, live, owned } = await liveOf(aws);
    expect(owned).toBe(true);
    expect(live.tags).toMatchObject({ [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'DbInstance/shop-db', [PASSWORD_VERSION_TAG]: live.secretVersion });
    expect(live.replicas).toMatchObject([{ identifier: 'shop-db-replica-1', instanceClass: 'db.r6g.large', owned: true }]);
    const changes = dbInstance.diff(shopDb(), live, after);
    expect(changes).toEqual([]);
    expect(dbInstance.steps(shopDb(), live, changes, after)).toEqual([]);
    await expect(dbInstance.health(shopDb(), after)).resolves.toMatchObject({ steady: true });
  });

  it('lowers the replica count by deleting its highest-index replica only', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired, { replicas: 2 });
    const m = shopDb(fixedReplicas(1));
    const { ctx, live } = await liveOf(aws, m);
    const changes = dbInstance.diff(m, live, ctx);
    expect(changes).toEqual([{ path: 'spec.readReplicas.count', live: 2, desired: 1 }]);
    aws.counter.reset();
    await apply(aws, dbInstance.steps(m, live, changes, ctx));
    expect(aws.counter.writes().map((c) => [c.operation, c.input])).toEqual([
      ['DeleteDBInstance', { DBInstanceIdentifier: 'shop-db-replica-2', SkipFinalSnapshot: true }],
    ]);
    const { ctx: after, live: now } = await liveOf(aws, m);
    expect(now.replicas.map((r) => r.identifier)).toEqual(['shop-db-replica-1']);
    expect(dbInstance.diff(m, now, after)).toEqual([]);
  });

  it('never deletes or counts a replica it does not own', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired);
    await createReplica(aws, 'shop-db-replica-2', [{ Key: 'team', Value: 'analytics' }]);
    const m = shopDb(fixedReplicas(0));
    const { ctx, live } = await liveOf(aws, m);
    const changes = dbInstance.diff(m, live, ctx);
    expect(changes).toEqual([{ path: 'spec.readReplicas.count', live: 1, desired: 0 }]);
    await apply(aws, dbInstance.steps(m, live, changes, ctx));
    const { ctx: after, live: now } = await liveOf(aws, m);
    expect(now.replicas).toMatchObject([{ identifier: 'shop-db-replica-2', owned: false }]);
    expect(dbInstance.diff(m, now, after)).toEqual([]);
  });

  it('adds missing replicas at the lowest free indexes', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired, { replicas: 0 });
    await createReplica(aws, 'shop-db-replica-2', asKeyValue(ownershipTags('ballast', shopDb())));
    const m = shopDb(fixedReplicas(3));
    const { ctx, live } = await liveOf(aws, m);
    const steps = dbInstance.steps(m, live, dbInstance.diff(m, live, ctx), ctx);
    expect(steps.map((s) => s.part)).toEqual(['replica-1', 'replica-3']);
    await apply(aws, steps);
    const { ctx: after, live: now } = await liveOf(aws, m);
    expect(now.replicas.map((r) => r.identifier).sort()).toEqual(['shop-db-replica-1', 'shop-db-replica-2', 'shop-db-replica-3']);
    expect(dbInstance.diff(m, now, after)).toEqual([]);
  });

  it('prunes shop-db keeping a final snapshot, even though it is deletion-protected', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired, { replicas: 0 });
    const { live } = await liveOf(aws);
    expect(live.deletionProtection).toBe(true);
    await apply(aws, dbInstance.deleteSteps!(nameOf(live.arn), live.arn));
    const { observed } = await observe(aws);
    expect(observed.get('shop-db')).toEqual({ state: 'missing' });
    const snapshots = await aws.rds.send(new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: 'shop-db', SnapshotType: 'manual' }));
    expect(snapshots.DBSnapshots?.map((s) => s.DBSnapshotIdentifier)).toEqual(['shop-db-final-ballast']);
  });

  it('sets and withdraws the destructive opt-in tag on shop-db and its replica as the annotation comes and goes, leaving other tags', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired);
    const { live: built } = await liveOf(aws);
    await aws.rds.send(new AddTagsToResourceCommand({ ResourceName: built.arn, Tags: [{ Key: 'cost-center', Value: '42' }] }));
    const optedIn = shopDb();
    optedIn.metadata.annotations = { [ALLOW_DESTRUCTIVE_TAG]: 'true' };
    const owner = { [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'DbInstance/shop-db' };
    const replicaArn = built.replicas[0]!.arn;

    const { ctx, live } = await liveOf(aws, optedIn);
    const changes = dbInstance.diff(optedIn, live, ctx);
    expect(changes).toEqual([
      { path: 'tags', live: owner, desired: { ...owner, [ALLOW_DESTRUCTIVE_TAG]: 'true' } },
      { path: 'tags[shop-db-replica-1]', live: owner, desired: { ...owner, [ALLOW_DESTRUCTIVE_TAG]: 'true' } },
    ]);
    aws.counter.reset();
    await apply(aws, dbInstance.steps(optedIn, live, changes, ctx));
    const tagged = asKeyValue({ ...owner, [ALLOW_DESTRUCTIVE_TAG]: 'true' });
    expect(aws.counter.writes().map((c) => [c.operation, c.input])).toEqual([
      ['AddTagsToResource', { ResourceName: built.arn, Tags: tagged }],
      ['AddTagsToResource', { ResourceName: replicaArn, Tags: tagged }],
    ]);
    const { ctx: afterIn, live: optedLive } = await liveOf(aws, optedIn);
    expect(optedLive.tags).toMatchObject({ [ALLOW_DESTRUCTIVE_TAG]: 'true', 'cost-center': '42' });
    expect(optedLive.replicas[0]?.tags[ALLOW_DESTRUCTIVE_TAG]).toBe('true');
    expect(dbInstance.diff(optedIn, optedLive, afterIn)).toEqual([]);

    // The annotation goes: so does the tag, and prune would refuse again.
    const back = dbInstance.diff(shopDb(), optedLive, afterIn);
    aws.counter.reset();
    await apply(aws, dbInstance.steps(shopDb(), optedLive, back, afterIn));
    expect(aws.counter.writes().map((c) => [c.operation, c.input])).toEqual([
      ['RemoveTagsFromResource', { ResourceName: built.arn, TagKeys: [ALLOW_DESTRUCTIVE_TAG] }],
      ['RemoveTagsFromResource', { ResourceName: replicaArn, TagKeys: [ALLOW_DESTRUCTIVE_TAG] }],
    ]);
    const { ctx: afterOut, live: now } = await liveOf(aws);
    expect(now.tags).toEqual({ ...owner, 'cost-center': '42', [PASSWORD_VERSION_TAG]: now.secretVersion });
    expect(now.replicas[0]?.tags).toEqual(owner);
    expect(dbInstance.diff(shopDb(), now, afterOut)).toEqual([]);
  });

  it('moves the replicas to a new replica class, each with its own ModifyDBInstance, then sees no change', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired, { replicas: 2 });
    const m = shopDb((s) => {
      s.readReplicas = { count: 2, instanceClass: 'db.r6g.xlarge' };
      s.applyImmediately = true;
    });
    const { ctx, live } = await liveOf(aws, m);
    const changes = dbInstance.diff(m, live, ctx);
    expect(changes).toEqual([
      { path: 'spec.readReplicas[shop-db-replica-1].instanceClass', live: 'db.r6g.large', desired: 'db.r6g.xlarge' },
      { path: 'spec.readReplicas[shop-db-replica-2].instanceClass', live: 'db.r6g.large', desired: 'db.r6g.xlarge' },
    ]);
    aws.counter.reset();
    await apply(aws, dbInstance.steps(m, live, changes, ctx));
    expect(aws.counter.writes().map((c) => [c.operation, c.input])).toEqual([
      ['ModifyDBInstance', { DBInstanceIdentifier: 'shop-db-replica-1', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: true }],
      ['ModifyDBInstance', { DBInstanceIdentifier: 'shop-db-replica-2', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: true }],
    ]);
    const { ctx: after, live: now } = await liveOf(aws, m);
    expect(now.replicas.map((r) => r.instanceClass)).toEqual(['db.r6g.xlarge', 'db.r6g.xlarge']);
    expect(dbInstance.diff(m, now, after)).toEqual([]);
  });

  it('adopts an existing shop-db and its replica by tagging them', async () => {
    const aws = moto.aws();
    await buildShopDb(aws, await createNetwork(aws), desired, { owned: false });
    const { ctx, live, owned } = await liveOf(aws);
    expect([owned, live.replicas[0]?.owned]).toEqual([false, false]);
    await apply(aws, [{ op: 'update', summary: 'adopt', calls: dbInstance.adoptCalls!(shopDb(), live, ctx) }]);
    const { live: now, owned: ownedNow } = await liveOf(aws);
    expect([ownedNow, now.replicas[0]?.owned]).toEqual([true, true]);
  });
});

const OWNER_TAGS = [
  { Key: MANAGED_BY_TAG, Value: 'ballast' },
  { Key: MANIFEST_TAG, Value: 'DbInstance/shop-db' },
];

/** shop-db as DescribeDBInstances reports it on AWS (Performance Insights included), matching desired-state/. */
function describedShopDb(overrides: Partial<DBInstance> = {}): DBInstance {
  return {
    DBInstanceIdentifier: 'shop-db',
    DBInstanceArn: 'arn:aws:rds:us-east-1:123456789012:db:shop-db',
    DBInstanceStatus: 'available',
    Engine: 'postgres',
    EngineVersion: '16.3',
    DBInstanceClass: 'db.r6g.large',
    AllocatedStorage: 100,
    MaxAllocatedStorage: 500,
    StorageType: 'gp3',
    StorageEncrypted: true,
    KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/0f0e',
    MultiAZ: true,
    MasterUsername: 'shop_admin',
    MasterUserSecret: { SecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1', SecretStatus: 'active' },
    BackupRetentionPeriod: 14,
    PreferredBackupWindow: '02:00-02:30',
    PreferredMaintenanceWindow: 'sun:03:00-sun:03:30',
    DeletionProtection: true,
    PerformanceInsightsEnabled: true,
    PerformanceInsightsRetentionPeriod: 7,
    DBParameterGroups: [{ DBParameterGroupName: 'default.postgres16' }],
    DBSubnetGroup: { DBSubnetGroupName: 'shop-db' },
    VpcSecurityGroups: [{ VpcSecurityGroupId: 'sg-0db', Status: 'active' }],
    PubliclyAccessible: false,
    ReadReplicaDBInstanceIdentifiers: ['shop-db-replica-1'],
    TagList: OWNER_TAGS,
    ...overrides,
  };
}

const replica = (n: number, overrides: Partial<DBInstance> = {}): DBInstance => ({
  DBInstanceIdentifier: `shop-db-replica-${n}`,
  DBInstanceArn: `arn:aws:rds:us-east-1:123456789012:db:shop-db-replica-${n}`,
  DBInstanceStatus: 'available',
  DBInstanceClass: 'db.r6g.large',
  TagList: OWNER_TAGS,
  ...overrides,
});

const live = (overrides: Partial<DBInstance> = {}, replicas = [replica(1)]): LiveDbInstance =>
  toLive(describedShopDb(overrides), replicas, 'ballast');

/** A context whose refs know the shop's two security groups. */
function pureContext(): Context {
  const groups: Record<string, string> = { 'shop-db': 'sg-0db', 'shop-services': 'sg-0svc' };
  return {
    controllerId: 'ballast',
    ...manifestIndex(desired),
    refs: {
      accountId: '123456789012',
      region: 'us-east-1',
      require: (_type, ref) => {
        if (!groups[ref]) throw new ResourceFailure('ReferenceNotFound', ref);
        return groups[ref];
      },
      loadBalancerOf: () => undefined,
    },
  };
}

const plan = (m: DbInstance, l: LiveDbInstance) => {
  const ctx = pureContext();
  const changes = dbInstance.diff(m, l, ctx);
  return { changes, steps: dbInstance.steps(m, l, changes, ctx) };
};

describe('DbInstance diff and steps', () => {
  it('shows a change RDS already holds for the maintenance window as pending and sends nothing for it', () => {
    const m = shopDb((s) => {
      s.instanceClass = 'db.r6g.xlarge';
      s.engineVersion = '16.4';
    });
    const { changes, steps } = plan(m, live({ PendingModifiedValues: { DBInstanceClass: 'db.r6g.xlarge', EngineVersion: '16.4.2' } }));
    expect(changes).toEqual([
      { path: 'spec.engineVersion', live: '16.3', desired: '16.4', pending: true },
      { path: 'spec.instanceClass', live: 'db.r6g.large', desired: 'db.r6g.xlarge', pending: true },
    ]);
    expect(steps).toEqual([]);
  });

  it('sends a change again when what is pending is not what the manifest wants', () => {
    const m = shopDb((s) => {
      s.instanceClass = 'db.r6g.xlarge';
    });
    const { changes, steps } = plan(m, live({ PendingModifiedValues: { DBInstanceClass: 'db.r6g.2xlarge' } }));
    expect(changes).toEqual([{ path: 'spec.instanceClass', live: 'db.r6g.large', desired: 'db.r6g.xlarge' }]);
    expect(steps[0]?.calls[0]?.input).toEqual({ DBInstanceIdentifier: 'shop-db', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: false });
  });

  it.each<[string, (s: DbInstance['spec']) => void, string]>([
    ['turning off Multi-AZ', (s) => (s.multiAZ = false), 'spec.multiAZ'],
    ['turning off deletion protection', (s) => (s.deletionProtection = false), 'spec.deletionProtection'],
    ['lowering backup retention', (s) => (s.backup.retentionDays = 7), 'spec.backup.retentionDays'],
  ])('marks %s as destructive and sends it in place', (_what, edit, path) => {
    const { changes, steps } = plan(shopDb(edit), live());
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ path, destructive: expect.any(String) });
    expect(steps.map((s) => s.calls.map((c) => c.operation))).toEqual([['ModifyDBInstance']]);
  });

  it.each<[string, (s: DbInstance['spec']) => void, Partial<DBInstance>, string, RegExp]>([
    ['changing the engine', (s) => (s.engine = 'mysql'), {}, 'spec.engine', /cannot change an instance's engine: create a new mysql instance/],
    ['turning off encryption', (s) => (s.storage.encrypted = false), {}, 'spec.storage.encrypted', /cannot decrypt .*create a new unencrypted instance/],
    ['turning on encryption', () => {}, { StorageEncrypted: false }, 'spec.storage.encrypted', /cannot encrypt .*copy the snapshot with encryption on, restore a new instance/],
    ['changing the storage KMS key', (s) => (s.storage.kmsKeyId = 'other'), {}, 'spec.storage.kmsKeyId', /copy the snapshot with the new key, restore a new instance/],
    ['shrinking storage', (s) => (s.storage.allocatedGiB = 50), {}, 'spec.storage.allocatedGiB', /cannot shrink .*create a new 50 GiB instance.*or state 100 GiB/],
    ['renaming the master user', (s) => (s.masterUsername = 'admin'), {}, 'spec.masterUsername', /cannot rename the master user.*create a new instance/],
    [
      'changing the master secret key',
      (s) => (s.masterPassword = { managedByRds: true, kmsKey: 'other' }),
      {},
      'spec.masterPassword.kmsKey',
      /turn off ManageMasterUserPassword .* by hand .*Ballast turns it back on with the new key/,
    ],
  ])('reports %s as drift no call can fix, saying what a person must do, and sends nothing', (_what, edit, described, path, what) => {
    const { changes, steps } = plan(shopDb(edit), live(described));
    expect(changes).toEqual([expect.objectContaining({ path, unfixable: expect.stringMatching(what) })]);
    // Never applied, so there is nothing to refuse.
    expect(changes[0]?.destructive).toBeUndefined();
    expect(steps).toEqual([]);
  });

  it('plans the in-place changes next to one RDS cannot make, without refusing them or counting it as done', () => {
    const m = shopDb((s) => {
      s.engine = 'mysql';
      s.instanceClass = 'db.r6g.xlarge';
    });
    const observations = new Map([['DbInstance/shop-db' as const, { state: 'found' as const, live: live(), owned: true }]]);
    const p = buildPlan([m], { ctx: pureContext(), observations, owned: new Map() }, RECONCILERS, { defaultMode: 'enforce', prune: false });
    expect(p.resources[0]).toMatchObject({ status: 'update', refused: [] });
    expect(p.actions.flatMap((a) => a.calls.map((c) => c.input))).toEqual([
      { DBInstanceIdentifier: 'shop-db', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: false },
    ]);
    expect(renderPlan(p)).toMatch(/spec\.engine: "postgres" -> "mysql" \(not fixable by a call: RDS cannot change an instance's engine/);
  });

  it('raises storage, backup retention and Multi-AZ in place without calling it destructive', () => {
    const { changes, steps } = plan(
      shopDb((s) => (s.storage.allocatedGiB = 200)),
      live({ BackupRetentionPeriod: 7, MultiAZ: false }),
    );
    expect(changes.map((c) => [c.path, c.destructive])).toEqual([
      ['spec.storage.allocatedGiB', undefined],
      ['spec.multiAZ', undefined],
      ['spec.backup.retentionDays', undefined],
    ]);
    expect(steps.map((s) => s.calls.map((c) => c.input))).toEqual([
      [{ DBInstanceIdentifier: 'shop-db', AllocatedStorage: 200, MultiAZ: true, BackupRetentionPeriod: 14, ApplyImmediately: false }],
    ]);
  });

  it('matches "16" to any 16.x and asks for a major upgrade only across majors', () => {
    expect(plan(shopDb(), live({ EngineVersion: '16.6' })).changes).toEqual([]);
    const { changes, steps } = plan(shopDb((s) => (s.engineVersion = '17')), live());
    expect(changes).toEqual([{ path: 'spec.engineVersion', live: '16.3', desired: '17', optIn: { annotation: 'ballast.dev/allow-major-version-upgrade', reason: expect.any(String) } }]);
    expect(steps[0]?.calls[0]?.input).toMatchObject({ EngineVersion: '17', AllowMajorVersionUpgrade: true });
    const minor = plan(shopDb((s) => (s.engineVersion = '16.4')), live()).steps[0]?.calls[0]?.input;
    expect(minor).toEqual({ DBInstanceIdentifier: 'shop-db', EngineVersion: '16.4', ApplyImmediately: false });
  });

  it('compares windows without regard to case', () => {
    expect(plan(shopDb(), live({ PreferredMaintenanceWindow: 'Sun:03:00-Sun:03:30' })).changes).toEqual([]);
    expect(plan(shopDb(), live({ PreferredMaintenanceWindow: 'mon:03:00-mon:03:30' })).changes).toEqual([
      { path: 'spec.maintenanceWindow', live: 'mon:03:00-mon:03:30', desired: 'sun:03:00-sun:03:30' },
    ]);
  });

  it('compares security groups by ref, as a set', () => {
    const m = shopDb((s) => (s.securityGroups = ['shop-services', 'shop-db']));
    const sgs = (...ids: string[]) => ({ VpcSecurityGroups: ids.map((VpcSecurityGroupId) => ({ VpcSecurityGroupId })) });
    expect(plan(m, live(sgs('sg-0db', 'sg-0svc'))).changes).toEqual([]);
    expect(plan(m, live(sgs('sg-0db'))).steps[0]?.calls[0]?.input).toMatchObject({ VpcSecurityGroupIds: ['sg-0svc', 'sg-0db'] });
    expect(() => plan(shopDb((s) => (s.securityGroups = ['nope'])), live())).toThrow(ResourceFailure);
  });

  it('turns Performance Insights back on when AWS reports it off, and does not guess when it is not reported', () => {
    const { steps } = plan(shopDb(), live({ PerformanceInsightsEnabled: false }));
    expect(steps[0]?.calls[0]?.input).toMatchObject({ EnablePerformanceInsights: true, PerformanceInsightsRetentionPeriod: 7 });
    expect(plan(shopDb(), live({ PerformanceInsightsEnabled: undefined, PerformanceInsightsRetentionPeriod: undefined })).changes).toEqual([]);
  });

  it('holds min replicas for a traffic-following range, counting only its own conventionally named live replicas', () => {
    const others = [replica(1, { DBInstanceStatus: 'deleting' }), replica(7, { TagList: [] }), replica(2, { DBInstanceIdentifier: 'reporting' })];
    const { changes, steps } = plan(shopDb(), live({}, others));
    expect(changes).toEqual([{ path: 'spec.readReplicas.count', live: 0, desired: 1 }]);
    // replica-1 is still being deleted and replica-7 is someone else's: their names are taken.
    expect(steps.map((s) => s.calls[0]?.input.DBInstanceIdentifier)).toEqual(['shop-db-replica-2']);
    expect(steps[0]?.calls[0]?.input).toMatchObject({
      SourceDBInstanceIdentifier: 'shop-db',
      DBInstanceClass: 'db.r6g.large',
      VpcSecurityGroupIds: ['sg-0db'],
      PubliclyAccessible: false,
      MultiAZ: false,
    });
  });

  const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000);

  it('puts backups back on (retention 0 -> 14) and reports that nothing is restorable, which no call can fix', () => {
    const { changes, steps } = plan(shopDb(), live({ BackupRetentionPeriod: 0, LatestRestorableTime: undefined, InstanceCreateTime: minutesAgo(600) }));
    expect(changes).toEqual([
      { path: 'spec.backup.retentionDays', live: 0, desired: 14 },
      { path: 'status.latestRestorableTime', live: null, desired: 'within 15 minutes', unfixable: 'automated backups are off' },
    ]);
    expect(steps.flatMap((s) => s.calls.map((c) => c.input))).toEqual([{ DBInstanceIdentifier: 'shop-db', BackupRetentionPeriod: 14, ApplyImmediately: false }]);
  });

  it('reports a latest restorable time older than the RPO budget as drift with no call, and a recent one as nothing', () => {
    const stale = minutesAgo(40);
    const { changes, steps } = plan(shopDb(), live({ LatestRestorableTime: stale }));
    expect(changes).toEqual([
      {
        path: 'status.latestRestorableTime',
        live: stale.toISOString(),
        desired: 'within 15 minutes',
        unfixable: "RDS has no restorable point for 40 minutes: check the instance's backups and events",
      },
    ]);
    expect(steps).toEqual([]);
    expect(plan(shopDb((s) => (s.backup.rpoBudgetMinutes = 60)), live({ LatestRestorableTime: stale })).changes).toEqual([]);
    expect(plan(shopDb(), live({ LatestRestorableTime: minutesAgo(4) })).changes).toEqual([]);
    // A new instance has no backup yet: its creation time stands in until the first one.
    expect(plan(shopDb(), live({ LatestRestorableTime: undefined, InstanceCreateTime: minutesAgo(3) })).changes).toEqual([]);
  });

  it('shows a stale restorable time in the plan as drift that no call can fix, and plans no call for it', () => {
    const observations = new Map([['DbInstance/shop-db' as const, { state: 'found' as const, live: live({ LatestRestorableTime: minutesAgo(30) }), owned: true }]]);
    const p = buildPlan([shopDb()], { ctx: pureContext(), observations, owned: new Map() }, RECONCILERS, { defaultMode: 'enforce', prune: false });
    expect(p.actions).toEqual([]);
    expect(isDrift(p.resources[0]!)).toBe(true);
    expect(renderPlan(p, { driftOnly: true })).toMatch(
      /status\.latestRestorableTime: ".+" -> "within 15 minutes" \(not fixable by a call: RDS has no restorable point for 30 minutes/,
    );
  });

  it('moves replicas with the primary when the manifest states no replica class, and does not resend what RDS holds', () => {
    const m = shopDb((s) => {
      s.instanceClass = 'db.r6g.xlarge';
      s.readReplicas = { count: 2 };
    });
    const held = replica(2, { PendingModifiedValues: { DBInstanceClass: 'db.r6g.xlarge' } });
    const { changes, steps } = plan(m, live({}, [replica(1), held]));
    expect(changes).toEqual([
      { path: 'spec.instanceClass', live: 'db.r6g.large', desired: 'db.r6g.xlarge' },
      { path: 'spec.readReplicas[shop-db-replica-1].instanceClass', live: 'db.r6g.large', desired: 'db.r6g.xlarge' },
      { path: 'spec.readReplicas[shop-db-replica-2].instanceClass', live: 'db.r6g.large', desired: 'db.r6g.xlarge', pending: true },
    ]);
    expect(steps.map((s) => [s.part, s.calls.map((c) => c.input)])).toEqual([
      ['primary', [{ DBInstanceIdentifier: 'shop-db', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: false }]],
      ['replica-1', [{ DBInstanceIdentifier: 'shop-db-replica-1', DBInstanceClass: 'db.r6g.xlarge', ApplyImmediately: false }]],
    ]);
  });

  it('leaves the class of a replica that a lower count deletes', () => {
    const m = shopDb((s) => (s.readReplicas = { count: 1, instanceClass: 'db.r6g.xlarge' }));
    const { changes, steps } = plan(m, live({}, [replica(1), replica(2)]));
    expect(changes.map((c) => c.path)).toEqual(['spec.readReplicas.count', 'spec.readReplicas[shop-db-replica-1].instanceClass']);
    expect(steps.map((s) => [s.part, s.op])).toEqual([
      ['replica-2', 'delete'],
      ['replica-1', 'update'],
    ]);
  });

  const arnOf = (id: string) => `arn:aws:rds:us-east-1:123456789012:db:${id}`;
  const prunePlan = (tags: Record<string, string>) => {
    const owned = new Map(['shop-db', 'shop-db-replica-1'].map((id) => [arnOf(id), { [MANAGED_BY_TAG]: 'ballast', [MANIFEST_TAG]: 'DbInstance/shop-db', ...tags }]));
    return buildPlan([], { ctx: pureContext(), observations: new Map(), owned }, RECONCILERS, { defaultMode: 'enforce', prune: true });
  };

  it('refuses to prune an owned DB whose tags lack the destructive opt-in', () => {
    const p = prunePlan({});
    expect(p.actions).toEqual([]);
    expect(p.resources[0]).toMatchObject({ key: 'DbInstance/shop-db', status: 'prune' });
    expect(p.resources[0]?.note).toMatch(/^refused: deleting a DbInstance needs the ballast\.dev\/allow-destructive=true tag/);
  });

  it('prunes an opted-in DB, keeping a final snapshot of the primary', () => {
    const p = prunePlan({ [ALLOW_DESTRUCTIVE_TAG]: 'true' });
    const calls = p.actions.flatMap((a) => a.calls.map((c) => c.input));
    expect(calls).toHaveLength(3);
    expect(calls).toEqual(
      expect.arrayContaining([
        { DBInstanceIdentifier: 'shop-db-replica-1', SkipFinalSnapshot: true },
        { DBInstanceIdentifier: 'shop-db', DeletionProtection: false, ApplyImmediately: true },
        { DBInstanceIdentifier: 'shop-db', SkipFinalSnapshot: false, FinalDBSnapshotIdentifier: 'shop-db-final-ballast', DeleteAutomatedBackups: false },
      ]),
    );
  });

  it('maps replica ARNs to their primary for prune, and deletes a replica without a snapshot', () => {
    expect(nameOf('arn:aws:rds:us-east-1:123456789012:db:shop-db')).toBe('shop-db');
    expect(nameOf('arn:aws:rds:us-east-1:123456789012:db:shop-db-replica-12')).toBe('shop-db');
    const steps = dbInstance.deleteSteps!('shop-db', 'arn:aws:rds:us-east-1:123456789012:db:shop-db-replica-2');
    expect(steps.flatMap((s) => s.calls)).toEqual([
      { service: 'rds', operation: 'DeleteDBInstance', input: { DBInstanceIdentifier: 'shop-db-replica-2', SkipFinalSnapshot: true } },
    ]);
  });
});

describe('DbInstance health', () => {
  it.each([
    [['available', 'available'], { steady: true }],
    [['modifying', 'available'], { steady: false, reason: 'shop-db is modifying' }],
    [['available', 'creating'], { steady: false, reason: 'shop-db-replica-1 is creating' }],
    [['storage-full', 'available'], { steady: false, failed: true }],
    [['available', 'incompatible-network'], { steady: false, failed: true }],
    [['failed', 'available'], { steady: false, failed: true }],
  ])('%j -> %j', (statuses, expected) => {
    const [primary, rep] = statuses;
    const health = statusHealth([
      { identifier: 'shop-db', status: primary! },
      { identifier: 'shop-db-replica-1', status: rep! },
    ]);
    expect(health).toMatchObject(expected);
  });
});
