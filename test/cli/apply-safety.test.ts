import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { runCli } from '../support/cli.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';

const moto = useMoto();

interface ApplyJson {
  resources: { key: string; status: string }[];
  result: { actions: { id: string; state: string; error?: { code: string; message: string }; reason?: string }[] };
  calls: Record<string, number>;
  converged: boolean;
}

const writes = (calls: Record<string, number>) => Object.keys(calls).filter((k) => !/:(Describe|List|Get)/.test(k));

describe('ballast apply safety', () => {
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
  });

  it('never applies without --yes when nobody can confirm, and asks on a terminal', async () => {
    const headless = await runCli(['apply', 'desired-state']);
    expect(headless.code).toBe(1);
    expect(headless.stderr).toContain('refusing to apply without --yes');
    expect(headless.stdout).toContain('+ EcsService/storefront');

    let asked = '';
    const declined = await runCli(['apply', 'desired-state'], { interactive: true, confirm: async (q) => ((asked = q), false) });
    expect(asked).toMatch(/^Apply \d+ action\(s\)\?$/);
    expect(declined.code).toBe(1);
    const services = await moto.aws().ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront'] }));
    expect(services.services).toEqual([]);

    const confirmed = await runCli(['apply', 'desired-state', '--poll-interval', '0.05'], { interactive: true, confirm: async () => true });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain('Apply converged');
  });

  it('reports a write that fails during apply with its AWS error, skips what depends on it and converges the rest', async () => {
    const dir = await copyDesiredState();
    // The plan cannot know the subnet group is missing; CreateDBInstance finds out.
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'subnetGroup'], 'no-such-group'));
    const run = await runCli(['apply', dir, '--yes', '--output', 'json', '--poll-interval', '0.05']);
    expect(run.code).toBe(1);
    const out = run.json<ApplyJson>();
    const byId = new Map(out.result.actions.map((a) => [a.id, a]));
    expect(byId.get('DbInstance/shop-db#primary')).toMatchObject({ state: 'failed', error: { code: expect.stringMatching(/SubnetGroupNotFound/) } });
    expect(byId.get('DbInstance/shop-db#replica-1')).toMatchObject({ state: 'skipped', reason: 'DbInstance/shop-db#primary' });
    expect(byId.get('Alarm/shop-db-cpu-high')).toMatchObject({ state: 'skipped' });
    expect(byId.get('Alarm/storefront-cpu-high')).toMatchObject({ state: 'done' });
    expect(byId.get('EcsService/storefront')).toMatchObject({ state: 'done' });
    expect(out.converged).toBe(false);
    const dbs = await moto.aws().rds.send(new DescribeDBInstancesCommand({}));
    expect(dbs.DBInstances).toEqual([]);
    expect(writes(out.calls)).not.toContain('rds:CreateDBInstanceReadReplica:success');
  });

  it('shows a change RDS cannot make in place, never tries it, and does not call the estate converged', async () => {
    const dir = await copyDesiredState();
    expect((await runCli(['apply', dir, '--yes', '--poll-interval', '0.05'])).code).toBe(0);
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'storage', 'encrypted'], false));
    const run = await runCli(['apply', dir, '--yes', '--poll-interval', '0.05']);
    expect(run.stdout).toMatch(/spec\.storage\.encrypted: true -> false \(not fixable by a call: .+\)/);
    expect(run.stdout).toContain('Apply did not converge');
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/started +DbInstance/);
  });

  it('waits for a changed DB once, not again at the end', async () => {
    const dir = await copyDesiredState();
    expect((await runCli(['apply', dir, '--yes', '--poll-interval', '0.05'])).code).toBe(0);
    await editManifest(dir, 'DbInstance/shop-db', setField(['spec', 'instanceClass'], 'db.r6g.xlarge'));
    const run = await runCli(['apply', dir, '--yes', '--poll-interval', '0.05']);
    expect(run.code).toBe(0);
    expect(run.stderr.match(/^health {2}DbInstance\/shop-db: steady$/gm)).toHaveLength(1);
  });
});
