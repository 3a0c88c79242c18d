import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useMoto } from '../support/moto.js';
import { runCli } from '../support/cli.js';
import { fixtureTable } from '../support/prices.js';
import { alarmNames, awsIn, createRole, EU, targetRepository, targetYaml, US } from '../support/accounts.js';

const moto = useMoto();

interface ApplyJson {
  converged: boolean;
  resources: { key: string; target?: string; status: string; error?: { code: string; message: string } }[];
}

const apply = async (dir: string, format = 'json') => runCli(['apply', dir, '--yes', '--controller-id', 'ci', '--poll-interval', '0.05', '--output', format]);

describe('one repository, two accounts in two regions', () => {
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createRole(moto.endpoint, EU.account, 'ballast', EU.externalId);
    await createRole(moto.endpoint, US.account, 'ballast');
  });

  it('apply converges both targets, each account holding only its own resources, and names the target of each', async () => {
    const { dir, eu, us } = await targetRepository('ballast');
    const run = await apply(dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.json<ApplyJson>();
    expect(out.converged).toBe(true);
    expect(out.resources.map((r) => [r.key, r.target, r.status]).sort()).toEqual([
      ['Alarm/eu-cpu', 'prod-eu', 'create'],
      ['Alarm/eu-memory', 'prod-eu', 'create'],
      ['Alarm/us-cpu', 'prod-us', 'create'],
    ]);
    expect(await alarmNames(awsIn(moto.endpoint, eu))).toEqual(['eu-cpu', 'eu-memory']);
    expect(await alarmNames(awsIn(moto.endpoint, us))).toEqual(['us-cpu']);
    // The controller's own account and region hold nothing, nor does a target's account in the other region.
    expect(await alarmNames(moto.aws())).toEqual([]);
    // Credentials are read calls, one AssumeRole per target; the writes are the three alarms.
    const calls = run.json<ApplyJson & { calls: Record<string, number> }>().calls;
    expect(calls['sts:AssumeRole:success']).toBe(2);
    expect(Object.entries(calls).filter(([k]) => !/:(Describe|List|Get)|AssumeRole/.test(k))).toEqual([['cloudwatch:PutMetricAlarm:success', 3]]);
    expect(await alarmNames(awsIn(moto.endpoint, { ...eu, spec: { ...eu.spec, region: US.region } }))).toEqual([]);

    const again = await runCli(['plan', dir, '--controller-id', 'ci']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('No changes');
  });

  it('a target whose role cannot be assumed fails only its own resources: apply exits 1, the other target converges', async () => {
    const { dir, eu, us } = await targetRepository('missing-role');
    const run = await apply(dir, 'text');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/error {3}Alarm\/us-cpu \(target prod-us\): AccessDenied: cannot assume arn:aws:iam::222222222222:role\/missing-role for target prod-us/);
    expect(run.stdout).toContain('Alarm/eu-cpu  (create, target prod-eu)');
    expect(await alarmNames(awsIn(moto.endpoint, eu))).toEqual(['eu-cpu', 'eu-memory']);
    await expect(alarmNames(awsIn(moto.endpoint, us))).rejects.toThrow(/not authorized/);
  });

  it('sends the external id the role requires: a Target without it cannot act in that account', async () => {
    const { dir } = await targetRepository('ballast');
    await writeFile(path.join(dir, 'targets.yaml'), `${targetYaml(EU.name, EU.account, EU.region, 'ballast')}---\n${targetYaml(US.name, US.account, US.region, 'ballast')}`);
    const run = await apply(dir);
    expect(run.code).toBe(1);
    const out = run.json<ApplyJson>();
    expect(out.resources.filter((r) => r.status === 'error').map((r) => [r.key, r.error?.code])).toEqual([
      ['Alarm/eu-cpu', 'AccessDenied'],
      ['Alarm/eu-memory', 'AccessDenied'],
    ]);
  });

  it("prices each target with its own region's table, never another region's", async () => {
    const { dir } = await targetRepository('ballast');
    const run = await runCli(['plan', dir, '--controller-id', 'ci', '--prices', await fixtureTable()]);
    expect(run.code).toBe(0);
    // The table given is us-east-1's, where no manifest is placed; none is shipped for the targets' regions.
    expect(run.stdout).toMatch(/Cost: not shown \(no price table for eu-west-1: .*; no price table for us-west-2: /);
  });

  it('a target without manifests whose role cannot be assumed is reported as itself, never silently skipped', async () => {
    const { dir } = await targetRepository('ballast');
    await writeFile(path.join(dir, 'staging.yaml'), targetYaml('staging', '333333333333', 'eu-central-1', 'missing-role'));
    const run = await runCli(['plan', dir, '--controller-id', 'ci', '--output', 'json']);
    expect(run.code).toBe(1);
    const failed = run.json<ApplyJson>().resources.filter((r) => r.status === 'error');
    expect(failed.map((r) => [r.key, r.target, r.error?.code])).toEqual([['Target/staging', 'staging', 'AccessDenied']]);
  });
});
