import { beforeEach, describe, expect, it } from 'vitest';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import { useMoto } from '../support/moto.js';
import { createNetwork, type Network } from '../../src/demo/network.js';
import { copyDesiredState } from '../support/manifests.js';
import { runCli } from '../support/cli.js';
import { scrubbed } from '../../src/secrets/resolve.js';
import { PASSWORD_VERSION_TAG } from '../../src/reconcilers/db-instance/master-password.js';

const moto = useMoto();

const password = async (net: Network) =>
  (JSON.parse((await moto.aws().secretsmanager.send(new GetSecretValueCommand({ SecretId: net.masterSecretArn }))).SecretString!) as { password: string }).password;

async function rotate(net: Network, value: string): Promise<string> {
  const out = await moto.aws().secretsmanager.send(new PutSecretValueCommand({ SecretId: net.masterSecretArn, SecretString: JSON.stringify({ username: 'shop_admin', password: value }) }));
  return out.VersionId!;
}

const versionTag = async () =>
  (await moto.aws().rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'shop-db' }))).DBInstances![0]!.TagList?.find((t) => t.Key === PASSWORD_VERSION_TAG)?.Value;

describe("the master password from the team's own secret", () => {
  let net: Network;
  let dir: string;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    net = await createNetwork(moto.aws());
    dir = await copyDesiredState();
  });

  it('is read only to create and after a rotation, shown as "secret version changed", and never printed', async () => {
    const first = await password(net);
    const created = await runCli(['apply', dir, '--yes', '--output', 'json', '--poll-interval', '0.05']);
    expect(created.code).toBe(0);
    expect(created.json<{ calls: Record<string, number> }>().calls).toMatchObject({ 'secretsmanager:GetSecretValue:success': 1 });
    expect(created.stdout + created.stderr).not.toContain(first);
    // The planned call holds a reference to the secret, not its value.
    const create = created
      .json<{ actions: { calls: { operation: string; input: Record<string, unknown> }[] }[] }>()
      .actions.flatMap((a) => a.calls)
      .find((c) => c.operation === 'CreateDBInstance');
    expect(create?.input.MasterUserPassword).toEqual({ fromSecret: { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/shop-db/master', key: 'password' } });

    const unchanged = await runCli(['plan', dir, '--output', 'json']);
    expect(unchanged.json<{ calls: Record<string, number> }>().calls).not.toHaveProperty('secretsmanager:GetSecretValue:success');
    expect(unchanged.json<{ calls: Record<string, number> }>().calls).toMatchObject({ 'secretsmanager:DescribeSecret:success': 1 });

    const second = 'rotated-Passw0rd-that-must-not-leak';
    const version = await rotate(net, second);
    const plan = await runCli(['plan', dir, '--detailed-exitcode']);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('spec.masterPassword: "(sensitive)" -> "(sensitive)" (secret version changed)');
    const drift = await runCli(['drift', dir, '--output', 'json']);
    expect(drift.stdout).not.toContain(second);

    const applied = await runCli(['apply', dir, '--yes', '--output', 'json', '--poll-interval', '0.05']);
    expect(applied.code).toBe(0);
    expect(applied.stdout + applied.stderr).not.toContain(second);
    const modify = applied
      .json<{ actions: { calls: { operation: string; input: Record<string, unknown> }[] }[] }>()
      .actions.flatMap((a) => a.calls)
      .filter((c) => c.operation === 'ModifyDBInstance');
    expect(modify.map((c) => c.input)).toEqual([
      { DBInstanceIdentifier: 'shop-db', MasterUserPassword: { fromSecret: { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/shop-db/master', key: 'password', versionId: version } }, ApplyImmediately: false },
    ]);
    expect(await versionTag()).toBe(version);
    expect((await runCli(['plan', dir, '--detailed-exitcode'])).code).toBe(0);
  });

  it('fails the DB alone, naming the secret and never its value, when the secret holds no usable password', async () => {
    const notJson = 'plain-text-password-not-json';
    await rotate(net, 'unused');
    await moto.aws().secretsmanager.send(new PutSecretValueCommand({ SecretId: net.masterSecretArn, SecretString: notJson }));
    const run = await runCli(['apply', dir, '--yes', '--poll-interval', '0.05']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/failed {2}DbInstance\/shop-db.*: SecretUnusable: secret arn:aws:secretsmanager:.*shop\/shop-db\/master is not a JSON object, so it has no key "password"/);
    expect(run.stdout + run.stderr).not.toContain(notJson);
    expect(run.stdout).toContain('EcsService/storefront');
  });

  it('masks a value an AWS error might quote', () => {
    const err = scrubbed(new Error('The parameter MasterUserPassword "hunter2-long" is not valid'), ['hunter2-long']) as Error;
    expect(err.message).toBe('The parameter MasterUserPassword "(sensitive)" is not valid');
    expect(err.stack).not.toContain('hunter2-long');
  });
});
