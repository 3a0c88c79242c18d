import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { STSClient } from '@aws-sdk/client-sts';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { tempDir } from './temp.js';
import { createAws, type Aws } from '../../src/aws/clients.js';
import { assumeRoleCredentials } from '../../src/targets/credentials.js';
import type { Target } from '../../src/schema/index.js';

/**
 * Creates an IAM role in another account of the emulator (moto keeps one IAM per account id, chosen here by its
 * x-moto-account-id header), trusting anyone, or only callers that send `externalId`.
 */
export async function createRole(endpoint: string, account: string, name: string, externalId?: string): Promise<string> {
  const trust = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['sts:AssumeRole', 'sts:TagSession'],
        ...(externalId ? { Condition: { StringEquals: { 'sts:ExternalId': externalId } } } : {}),
      },
    ],
  };
  const body = new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust) });
  const res = await fetch(endpoint, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-moto-account-id': account,
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`CreateRole in ${account} failed: ${res.status} ${await res.text()}`);
  return `arn:aws:iam::${account}:role/${name}`;
}

/** Clients acting in the target's account and region, through its role: what a person with that role would see. */
export function awsIn(endpoint: string, target: Target): Aws {
  const sts = new STSClient({ endpoint, region: 'us-east-1' });
  return createAws({ endpoint, region: target.spec.region, maxAttempts: 1, credentials: assumeRoleCredentials(sts, target, 'test') });
}

export const targetYaml = (name: string, account: string, region: string, role: string, externalId?: string) => `apiVersion: ballast.dev/v1alpha1
kind: Target
metadata:
  name: ${name}
spec:
  accountId: "${account}"
  region: ${region}
  roleArn: arn:aws:iam::${account}:role/${role}
${externalId ? `  externalId: ${externalId}\n` : ''}  sessionTags: {controller: ci}
`;

export const alarmYaml = (name: string, target: string) => `apiVersion: ballast.dev/v1alpha1
kind: Alarm
metadata:
  name: ${name}
  target: ${target}
spec:
  metric: {namespace: AWS/ECS, name: CPUUtilization, dimensions: {ClusterName: ${name}}}
  evaluationPeriods: 3
  threshold: 80
  comparison: GreaterThanThreshold
`;

export const EU = { name: 'prod-eu', account: '111111111111', region: 'eu-west-1', externalId: 'shop-eu' };
export const US = { name: 'prod-us', account: '222222222222', region: 'us-west-2' };

/** Two targets (EU with an external id) and alarms in each; `usRole` is the role the US target assumes. */
export async function targetRepository(usRole: string): Promise<{ dir: string; eu: Target; us: Target }> {
  const dir = await tempDir('targets');
  const files = {
    'targets.yaml': `${targetYaml(EU.name, EU.account, EU.region, 'ballast', EU.externalId)}---\n${targetYaml(US.name, US.account, US.region, usRole)}`,
    'eu.yaml': `${alarmYaml('eu-cpu', EU.name)}---\n${alarmYaml('eu-memory', EU.name)}`,
    'us.yaml': alarmYaml('us-cpu', US.name),
  };
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  const [eu, us] = files['targets.yaml'].split('---\n').map((t) => parse(t) as Target);
  return { dir, eu: eu!, us: us! };
}

/** The names of the alarms these clients see. */
export async function alarmNames(aws: Aws): Promise<string[]> {
  const out = await aws.cloudwatch.send(new DescribeAlarmsCommand({}));
  return (out.MetricAlarms ?? []).map((a) => a.AlarmName ?? '').sort();
}

