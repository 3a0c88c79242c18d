import { STSClient } from '@aws-sdk/client-sts';
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
