import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { Target } from '../schema/index.js';

/** Credentials are renewed this long before they expire, so no call goes out with credentials about to lapse. */
export const REFRESH_BEFORE_MS = 5 * 60_000;

/** The role session name: CloudTrail names the controller by it (and event-driven drift knows its own writes by it). */
export const sessionNameOf = (controllerId: string) => `ballast-${controllerId}`.slice(0, 64);

/**
 * Credentials of the target's role, from STS AssumeRole with its external id and session tags, kept until shortly
 * before they expire. A failed AssumeRole is not remembered: the next call (the next reconcile) tries again.
 */
export function assumeRoleCredentials(sts: STSClient, target: Target, controllerId: string, now = Date.now): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  let renewAt = 0;
  const assume = async (): Promise<AwsCredentialIdentity> => {
    const { roleArn, externalId, sessionTags } = target.spec;
    const out = await sts
      .send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionNameOf(controllerId),
          ExternalId: externalId,
          Tags: sessionTags ? Object.entries(sessionTags).map(([Key, Value]) => ({ Key, Value })) : undefined,
        }),
      )
      .catch((err: unknown) => {
        throw Object.assign(new Error(`cannot assume ${roleArn} for target ${target.metadata.name}: ${(err as Error).message}`), {
          code: (err as { name?: string }).name ?? 'AssumeRoleFailed',
        });
      });
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw Object.assign(new Error(`AssumeRole of ${roleArn} returned no credentials`), { code: 'AssumeRoleFailed' });
    renewAt = (c.Expiration?.getTime() ?? now() + 15 * 60_000) - REFRESH_BEFORE_MS;
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
  return () => {
    if (!current || now() >= renewAt) {
      // Calls that ask while AssumeRole is in flight share its answer.
      renewAt = Number.POSITIVE_INFINITY;
      current = assume();
      current.catch(() => {
        current = undefined;
      });
    }
    return current;
  };
}
