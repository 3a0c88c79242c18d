import { beforeEach, describe, expect, it } from 'vitest';
import { CreateDBInstanceCommand, CreateDBSnapshotCommand, DescribeDBInstancesCommand, type DBInstance } from '@aws-sdk/client-rds';
import type { Aws } from '../../src/aws/clients.js';
import { cleanupLeftovers, DRILL_DEADLINE_TAG, DRILL_RUNNER_TAG, DRILL_TAG, drillNotification, renderDrill, runDrill, type DrillResult } from '../../src/drill/index.js';
import { Metrics } from '../../src/controller/metrics.js';
import type { DbInstance, Manifest, RestoreDrill } from '../../src/schema/index.js';
import { loadRevision } from '../../src/validate/index.js';
import { useMoto } from '../support/moto.js';
import { createNetwork, type Network } from '../../src/demo/network.js';
import { buildShopDb } from '../support/estate/db-instance.js';

const moto = useMoto();

let aws: Aws;
let net: Network;
let manifests: Manifest[];
let source: DbInstance;
let drill: RestoreDrill;

beforeEach(async () => {
  aws = moto.aws();
  net = await createNetwork(aws);
  manifests = (await loadRevision('desired-state')).manifests;
  await buildShopDb(aws, net, manifests, { replicas: 0 });
  source = manifests.find((m): m is DbInstance => m.kind === 'DbInstance' && m.metadata.name === 'shop-db')!;
  drill = manifests.find((m): m is RestoreDrill => m.kind === 'RestoreDrill' && m.metadata.name === 'shop-db-drill')!;
  aws.counter.reset();
});

const ctx = () => ({ aws, controllerId: 'ballast', runner: 'cli' as const, pollIntervalMs: 10 });

/** The drill of desired-state/ with its spec changed. */
const withSpec = (spec: Partial<RestoreDrill['spec']>): RestoreDrill => ({ ...drill, spec: { ...drill.spec, ...spec } });

async function instanceIds(): Promise<string[]> {
  const out = await aws.rds.send(new DescribeDBInstancesCommand({}));
  return (out.DBInstances ?? []).map((i) => i.DBInstanceIdentifier ?? '').sort();
}

const callsOf = (operation: string) => aws.counter.calls.filter((c) => c.operation === operation).map((c) => c.input as Record<string, unknown>);

async function shopDb(): Promise<DBInstance> {
  const out = await aws.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db' }));
  return out.DBInstances![0]!;
}

describe('runDrill', () => {
  it('restores shop-db at its latest restorable time into an isolated copy, checks it, measures RTO/RPO and deletes it', async () => {
    const before = await shopDb();
    const result = await runDrill(drill, source, ctx());

    expect(result).toMatchObject({ drill: 'shop-db-drill', db: 'shop-db', method: 'point-in-time', outcome: 'passed' });
    expect(result.rtoSeconds).toBeGreaterThanOrEqual(0);
    expect(result.rtoSeconds).toBeLessThanOrEqual(result.rtoBudgetSeconds);
    expect(result.rpoSeconds).toBeGreaterThanOrEqual(0);
    expect(result.rpoSeconds).toBeLessThanOrEqual(15 * 60);
    expect(Date.parse(result.restoredFrom!.time)).toBeGreaterThanOrEqual(before.LatestRestorableTime!.getTime());
    expect(result.checks.map((c) => [c.name, c.passed])).toEqual([
      ['status', true],
      ['engine-version', true],
      ['encryption', true],
      ['storage', true],
    ]);

    const [restore] = callsOf('RestoreDBInstanceToPointInTime');
    const identifier = result.drillInstance!.identifier;
    expect(identifier).toMatch(/^shop-db-drill-\d{12}$/);
    expect(restore).toMatchObject({
      SourceDBInstanceIdentifier: 'shop-db',
      TargetDBInstanceIdentifier: identifier,
      UseLatestRestorableTime: true,
      DBInstanceClass: 'db.t4g.medium',
      DBSubnetGroupName: 'shop-db',
      VpcSecurityGroupIds: [net.securityGroups['shop-db']],
      PubliclyAccessible: false,
      MultiAZ: false,
      DeletionProtection: false,
    });
    expect(restore!.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'ballast.dev/managed-by', Value: 'ballast' },
        { Key: 'ballast.dev/manifest', Value: 'RestoreDrill/shop-db-drill' },
        { Key: DRILL_TAG, Value: 'shop-db-drill' },
      ]),
    );

    expect(callsOf('DeleteDBInstance')).toEqual([{ DBInstanceIdentifier: identifier, SkipFinalSnapshot: true, DeleteAutomatedBackups: true }]);
    expect(result.drillInstance).toEqual({ identifier, instanceClass: 'db.t4g.medium', deleted: true });
    expect(await instanceIds()).toEqual(['shop-db']);
  });

  it('restores the newest manual snapshot and takes its time as the recovery point', async () => {
    await aws.rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'shop-db', DBSnapshotIdentifier: 'shop-db-older' }));
    await aws.rds.send(new CreateDBSnapshotCommand({ DBInstanceIdentifier: 'shop-db', DBSnapshotIdentifier: 'shop-db-newer' }));

    const result = await runDrill(withSpec({ method: 'latest-manual-snapshot' }), source, ctx());

    expect(result.outcome).toBe('passed');
    expect(result.restoredFrom?.snapshot).toBe('shop-db-newer');
    expect(result.rpoSeconds).toBeCloseTo((Date.parse(result.startedAt) - Date.parse(result.restoredFrom!.time)) / 1000, 3);
    expect(callsOf('RestoreDBInstanceFromDBSnapshot')).toEqual([
      expect.objectContaining({ DBInstanceIdentifier: result.drillInstance!.identifier, DBSnapshotIdentifier: 'shop-db-newer', PubliclyAccessible: false }),
    ]);
    expect(await instanceIds()).toEqual(['shop-db']);
  });

  it('restores the newest automated snapshot', async () => {
    const result = await runDrill(withSpec({ method: 'latest-automated-snapshot' }), source, ctx());

    expect(result.outcome).toBe('passed');
    expect(result.restoredFrom?.snapshot).toMatch(/^rds:shop-db-/);
    expect(await instanceIds()).toEqual(['shop-db']);
  });

  it('reports a failed check with its reason and still deletes the copy', async () => {
    const failing = withSpec({
      checks: { ...drill.spec.checks, custom: [{ name: 'tuned', expect: { parameterGroup: 'shop-postgres16', allocatedStorageAtLeastGiB: 500 } }] },
    });
    const result = await runDrill(failing, source, ctx());

    expect(result.outcome).toBe('failed');
    expect(result.checks.find((c) => c.name === 'tuned')).toEqual({
      name: 'tuned',
      passed: false,
      detail: 'storage 100 GiB (at least 500); parameter group default.postgres16 (expected shop-postgres16)',
    });
    expect(result.reason).toContain('check tuned failed');
    expect(callsOf('DeleteDBInstance')).toHaveLength(1);
    expect(result.drillInstance?.deleted).toBe(true);
    expect(await instanceIds()).toEqual(['shop-db']);
  });

  it('fails without restoring anything when there is no snapshot of the stated kind', async () => {
    const result = await runDrill(withSpec({ method: 'latest-manual-snapshot' }), source, ctx());

    expect(result).toMatchObject({ outcome: 'failed', drillInstance: null, rtoSeconds: null, rpoSeconds: null });
    expect(result.reason).toBe('nothing to restore: shop-db has no available manual snapshot');
    expect(aws.counter.writes()).toEqual([]);
  });

  it('reports a recovery point older than the budget as budget-exceeded, and still deletes the copy', async () => {
    // The drill's clock runs two hours ahead: the latest restorable time looks two hours old.
    const result = await runDrill(drill, source, { ...ctx(), now: () => new Date(Date.now() + 2 * 3600_000) });

    expect(result.outcome).toBe('budget-exceeded');
    expect(result.reason).toMatch(/^RPO 2\.0 h is over the 15 min budget$/);
    expect(result.checks.every((c) => c.passed)).toBe(true);
    expect(await instanceIds()).toEqual(['shop-db']);
  });

  it('starts no restore once the controller is shutting down', async () => {
    const result = await runDrill(drill, source, { ...ctx(), signal: AbortSignal.abort() });

    expect(result).toMatchObject({ outcome: 'error', reason: 'stopped before the restore: shutting down', drillInstance: null });
    expect(aws.counter.calls).toEqual([]);
  });

  it('reports an error for a source that does not exist, and restores nothing', async () => {
    const result = await runDrill(drill, { ...source, metadata: { name: 'gone-db' } }, ctx());

    expect(result).toMatchObject({ outcome: 'error', reason: 'source DB gone-db not found', drillInstance: null });
    expect(aws.counter.writes()).toEqual([]);
  });
});

describe('cleanupLeftovers', () => {
  /** A drill instance as a crashed drill leaves it (deletion protection on, to be thorough). */
  async function leftover(id: string, tags: Record<string, string>): Promise<void> {
    await aws.rds.send(
      new CreateDBInstanceCommand({
        DBInstanceIdentifier: id,
        Engine: 'postgres',
        DBInstanceClass: 'db.t4g.medium',
        AllocatedStorage: 20,
        MasterUsername: 'shop_admin',
        ManageMasterUserPassword: true,
        DeletionProtection: true,
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
  }
  const past = new Date(Date.now() - 60_000).toISOString();
  const future = new Date(Date.now() + 3600_000).toISOString();

  it('deletes drill instances of this controller past their deadline, and no other instance', async () => {
    const mine = (deadline: string, runner?: string) => ({ 'ballast.dev/managed-by': 'ballast', [DRILL_TAG]: 'shop-db-drill', [DRILL_DEADLINE_TAG]: deadline, ...(runner ? { [DRILL_RUNNER_TAG]: runner } : {}) });
    await leftover('shop-db-drill-202601050500', mine(past, 'cli'));
    await leftover('shop-db-drill-202601120500', mine(future, 'controller'));
    await leftover('shop-db-drill-202601190500', mine(future, 'cli'));
    await leftover('shop-db-drill-202601260500', mine(future));
    await leftover('other-drill-202601050500', { 'ballast.dev/managed-by': 'someone-else', [DRILL_TAG]: 'x', [DRILL_DEADLINE_TAG]: past });
    const drills = ['shop-db-drill-202601120500', 'shop-db-drill-202601190500', 'shop-db-drill-202601260500'];

    expect(await cleanupLeftovers(aws, 'ballast')).toEqual({ deleted: ['shop-db-drill-202601050500'], failed: [] });
    expect(await instanceIds()).toEqual(['other-drill-202601050500', 'shop-db', ...drills]);

    // As the controller starts leading, none of its own drills can be running: its copies go whatever their deadline.
    // A CLI drill may be in flight in someone's terminal, and a copy that does not say who made it may be one: both stay.
    expect(await cleanupLeftovers(aws, 'ballast', { crashed: 'controller' })).toEqual({ deleted: ['shop-db-drill-202601120500'], failed: [] });
    expect(await instanceIds()).toEqual(['other-drill-202601050500', 'shop-db', 'shop-db-drill-202601190500', 'shop-db-drill-202601260500']);
  });
});

describe('drill reporting', () => {
  let passed: DrillResult;
  beforeEach(async () => {
    passed = await runDrill(drill, source, ctx());
  });

  it('tells Slack the DB, the outcome, RTO and RPO against their budgets and every check, and nothing secret', async () => {
    const n = drillNotification(passed);

    expect(n.kind).toBe('drill');
    expect(n.text.split('\n')[0]).toBe('Restore drill shop-db-drill of shop-db: passed');
    expect(n.text).toMatch(/^RTO: \d+\.\d s \(budget 60 min\)$/m);
    expect(n.text).toMatch(/^RPO: \d+\.\d s \(budget 15 min\)$/m);
    expect(n.text).toContain('✓ encryption: encrypted');
    expect(n.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Restore drill shop-db-drill of shop-db: passed' } });
    // shop-db's master password secret (desired-state names it without the random suffix).
    const secretArn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/shop-db/master';
    for (const report of [JSON.stringify(n), JSON.stringify(passed), renderDrill(passed)]) {
      expect(report).not.toContain(secretArn);
      expect(report).not.toMatch(/password|secret/i);
    }
  });

  it('tells Slack why a drill failed', () => {
    const failed: DrillResult = { ...passed, outcome: 'failed', reason: 'check multi-az failed: Multi-AZ false (expected true)' };
    const n = drillNotification(failed);
    expect(n.text.split('\n').slice(0, 2)).toEqual(['Restore drill shop-db-drill of shop-db: FAILED', 'check multi-az failed: Multi-AZ false (expected true)']);
  });

  it('exports last run, success, RTO and RPO per DB and drill to Prometheus', async () => {
    const metrics = new Metrics(aws.counter);
    metrics.recordDrill(passed);
    const text = await metrics.registry.metrics();
    const labels = '{db="shop-db",drill="shop-db-drill"}';
    expect(text).toContain(`ballast_drill_success${labels} 1`);
    expect(text).toContain(`ballast_drill_last_run_timestamp_seconds${labels} ${Date.parse(passed.finishedAt) / 1000}`);
    expect(text).toContain(`ballast_drill_rto_seconds${labels} ${passed.rtoSeconds}`);
    expect(text).toContain(`ballast_drill_rpo_seconds${labels} ${passed.rpoSeconds}`);

    // A drill that restored nothing measured nothing: no RTO/RPO left over from the previous run.
    metrics.recordDrill({ ...passed, outcome: 'failed', rtoSeconds: null, rpoSeconds: null });
    const after = await metrics.registry.metrics();
    expect(after).toContain(`ballast_drill_success${labels} 0`);
    expect(after).not.toContain(`ballast_drill_rto_seconds${labels}`);
    expect(after).not.toContain(`ballast_drill_rpo_seconds${labels}`);
  });
});
