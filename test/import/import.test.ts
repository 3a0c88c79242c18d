import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const moto = useMoto();
/** The secret desired-state's shop-db takes its master password from: AWS cannot tell import which one it is. */
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/shop-db/master';

describe('ballast import', () => {
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
  });

  it('round trip: after apply of desired-state/, the imported services, DB and alarms validate and plan no change', async () => {
    expect((await runCli(['apply', 'desired-state', '--yes', '--poll-interval', '0.05'])).code).toBe(0);
    const out = path.join(await tempDir('import'), 'estate');
    const prefixes = ['catalog', 'checkout', 'shop-db', 'storefront', 'worker'];
    const run = await runCli(['import', '--cluster', 'shop', '--db', 'shop-db', '--master-password-secret', SECRET_ARN, '--alarm-prefix', ...prefixes, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect((await readdir(path.join(out, 'services'))).sort()).toEqual(['catalog.yaml', 'checkout.yaml', 'storefront.yaml', 'worker.yaml']);
    expect(await readdir(path.join(out, 'databases'))).toEqual(['shop-db.yaml']);
    expect((await readdir(path.join(out, 'alarms'))).sort()).toEqual(prefixes.map((p) => `${p}.yaml`));
    const db = parseAllDocuments(await readFile(path.join(out, 'databases', 'shop-db.yaml'), 'utf8'))[0]?.toJS() as { spec: Record<string, unknown> };
    expect(db.spec).toMatchObject({ multiAZ: true, securityGroups: ['shop-db'], subnetGroup: 'shop-db', readReplicas: { count: 1 }, deletionProtection: true });
    const alarms = await readFile(path.join(out, 'alarms', 'shop-db.yaml'), 'utf8');
    expect(alarms).toContain('- shop-alerts');

    const validate = await runCli(['validate', out]);
    expect(validate.code, validate.stdout).toBe(0);
    expect(validate.stdout).toContain('23 manifests');
    const plan = await runCli(['plan', out, '--detailed-exitcode']);
    expect(plan.code, plan.stdout).toBe(0);
  });

  it('writes what a person would: names instead of ids, adoption, the autoscaling beside its service, no AWS defaults', async () => {
    expect((await runCli(['apply', 'desired-state', '--yes', '--poll-interval', '0.05'])).code).toBe(0);
    const out = await tempDir('import');
    expect((await runCli(['import', '--cluster', 'shop', '--service', 'storefront', '--out', out])).code).toBe(0);
    const text = await readFile(path.join(out, 'services', 'storefront.yaml'), 'utf8');
    const [service, scaling, ...rest] = parseAllDocuments(text).map((d) => d.toJS() as { kind: string; metadata: { annotations: Record<string, string> }; spec: Record<string, unknown> });
    expect(rest).toEqual([]);
    expect(text.match(/^# yaml-language-server: \$schema=/gm)).toHaveLength(2);
    expect(service?.metadata.annotations).toEqual({ 'ballast.dev/adopt': 'true' });
    expect(service?.spec).toMatchObject({
      cluster: 'shop',
      executionRole: 'ecsTaskExecutionRole',
      taskRole: 'shop-storefront',
      network: { subnets: ['shop-private-a', 'shop-private-b', 'shop-private-c'], securityGroups: ['shop-services'] },
      loadBalancer: { targetGroup: 'shop-storefront', containerName: 'app', containerPort: 8080 },
    });
    expect(service?.spec).not.toHaveProperty('desiredCount');
    expect(service?.spec).not.toHaveProperty('enableExecuteCommand');
    expect(scaling).toMatchObject({ kind: 'ServiceAutoscaling', spec: { service: 'storefront', minTasks: 3, maxTasks: 12, cpu: { targetValue: 60 }, memory: { targetValue: 75 } } });
  });
});
