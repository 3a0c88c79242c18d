import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';
import { runCli } from '../support/cli.js';

const moto = useMoto();

interface PlanJson {
  resources: { key: string; status: string; changes: { path: string; live: unknown; desired: unknown; pending?: boolean; reason?: string }[] }[];
  actions: { key: string; calls: { operation: string; input: Record<string, unknown> }[] }[];
  calls: Record<string, number>;
}

const db = async () => (await moto.aws().rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db' }))).DBInstances![0]!;
const modifies = (out: PlanJson) => out.calls['rds:ModifyDBInstance:success'] ?? 0;
const shopDb = (out: PlanJson) => out.resources.find((r) => r.key === 'DbInstance/shop-db')!;

describe('RDS changes that wait for the maintenance window', () => {
  let dir: string;
  const run = async (command: string, ...more: string[]) => {
    const r = await runCli([command, dir, '--output', 'json', ...(command === 'apply' ? ['--yes', '--poll-interval', '0.05'] : []), ...more]);
    return { code: r.code, out: r.json<PlanJson>() };
  };

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    dir = await copyDesiredState();
    expect((await run('apply')).code).toBe(0);
  });

  it('sends a class change once, shows it pending on every later plan and drift, and converges after the window', async () => {
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'instanceClass'], 'db.r6g.xlarge'));
    const queued = await run('apply');
    expect(queued.code).toBe(0);
    expect(modifies(queued.out)).toBe(1);
    expect(await db()).toMatchObject({ DBInstanceClass: 'db.r6g.large', PendingModifiedValues: { DBInstanceClass: 'db.r6g.xlarge' } });

    for (let i = 0; i < 2; i++) {
      const plan = await run('plan', '--detailed-exitcode');
      expect(plan.code).toBe(0);
      expect(shopDb(plan.out)).toMatchObject({ status: 'pending', changes: [{ path: 'spec.instanceClass', live: 'db.r6g.large', desired: 'db.r6g.xlarge', pending: true }] });
      const drift = await run('drift');
      expect(drift.code).toBe(0);
      const again = await run('apply');
      expect(again.code).toBe(0);
      expect(modifies(again.out)).toBe(0);
    }
    const text = await runCli(['plan', dir]);
    expect(text.stdout).toContain('spec.instanceClass: "db.r6g.large" -> "db.r6g.xlarge" (pending at AWS)');

    expect(await moto.openMaintenanceWindow()).toEqual(['shop-db']);
    expect((await db()).DBInstanceClass).toBe('db.r6g.xlarge');
    const after = await run('plan', '--detailed-exitcode');
    expect(after.code).toBe(0);
    expect(shopDb(after.out).status).toBe('in-sync');
  });

  it('applies a class change at once when the manifest says applyImmediately: true', async () => {
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'instanceClass'], 'db.r6g.xlarge'));
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'applyImmediately'], true));
    expect((await run('apply')).code).toBe(0);
    const live = await db();
    expect(live.DBInstanceClass).toBe('db.r6g.xlarge');
    expect(live.PendingModifiedValues ?? {}).toEqual({});
    expect(shopDb((await run('plan')).out).status).toBe('in-sync');
  });

  it('cancels a pending change the manifest reverted by asking RDS for the live value, so the window changes nothing', async () => {
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'instanceClass'], 'db.r6g.xlarge'));
    await run('apply');
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'instanceClass'], 'db.r6g.large'));

    const plan = await run('plan', '--detailed-exitcode');
    expect(plan.code).toBe(2);
    expect(shopDb(plan.out)).toMatchObject({
      status: 'update',
      changes: [{ path: 'spec.instanceClass', live: 'db.r6g.xlarge', desired: 'db.r6g.large', reason: expect.stringMatching(/RDS holds "db.r6g.xlarge" for the maintenance window/) }],
    });
    expect((await runCli(['plan', dir])).stdout).toMatch(/spec\.instanceClass: "db\.r6g\.xlarge" -> "db\.r6g\.large" \(RDS holds .* cancels it\)/);
    const cancel = await run('apply');
    expect(cancel.out.actions.flatMap((a) => a.calls).map((c) => c.input)).toEqual([
      { DBInstanceIdentifier: 'shop-db', DBInstanceClass: 'db.r6g.large', ApplyImmediately: false },
    ]);
    expect((await db()).PendingModifiedValues ?? {}).toEqual({});
    expect(await moto.openMaintenanceWindow()).toEqual([]);
    expect((await db()).DBInstanceClass).toBe('db.r6g.large');
    expect(shopDb((await run('plan')).out).status).toBe('in-sync');
  });
});
