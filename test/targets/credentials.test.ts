import { beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createAws } from '../../src/aws/clients.js';
import { assumeRoleCredentials, REFRESH_BEFORE_MS } from '../../src/targets/credentials.js';
import type { Target } from '../../src/schema/index.js';
import { useMoto } from '../support/moto.js';
import { createRole, EU, targetYaml } from '../support/accounts.js';

const moto = useMoto();

describe('target credentials', () => {
  let target: Target;
  beforeEach(() => {
    target = parse(targetYaml(EU.name, EU.account, EU.region, 'ballast', EU.externalId)) as Target;
  });

  it('assumes the role once, keeps the credentials, and assumes it again shortly before they expire', async () => {
    await createRole(moto.endpoint, EU.account, 'ballast', EU.externalId);
    const aws = createAws({ endpoint: moto.endpoint, region: 'us-east-1', maxAttempts: 1 });
    let clock = Date.now();
    const provider = assumeRoleCredentials(aws.sts, target, 'ci', () => clock);
    const assumes = () => aws.counter.calls.filter((c) => c.operation === 'AssumeRole').length;

    const [a, b] = await Promise.all([provider(), provider()]);
    expect(assumes()).toBe(1);
    expect(b.accessKeyId).toBe(a.accessKeyId);
    expect(a.expiration).toBeInstanceOf(Date);
    clock = a.expiration!.getTime() - REFRESH_BEFORE_MS - 1000;
    expect((await provider()).accessKeyId).toBe(a.accessKeyId);
    expect(assumes()).toBe(1);

    clock = a.expiration!.getTime() - REFRESH_BEFORE_MS + 1000;
    const renewed = await provider();
    expect(assumes()).toBe(2);
    expect(renewed.accessKeyId).not.toBe(a.accessKeyId);
  });

  it('does not remember a failed AssumeRole: once the role exists, the next call gets credentials', async () => {
    const aws = createAws({ endpoint: moto.endpoint, region: 'us-east-1', maxAttempts: 1 });
    const provider = assumeRoleCredentials(aws.sts, target, 'ci');
    await expect(provider()).rejects.toMatchObject({ code: 'AccessDenied', message: expect.stringContaining(`cannot assume ${target.spec.roleArn} for target ${EU.name}`) });
    await createRole(moto.endpoint, EU.account, 'ballast', EU.externalId);
    expect((await provider()).accessKeyId).toBeTruthy();
  });
});
