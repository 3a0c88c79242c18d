import type { DbInstance } from '../../schema/index.js';
import type { FieldChange, ObserveContext, ResourceError } from '../../engine/types.js';
import { errorOf } from '../../observe/index.js';
import { currentVersion } from '../../secrets/resolve.js';
import type { LiveDbInstance } from './live.js';

/**
 * The master password from the team's own secret: the instance carries the id of the secret version whose value
 * Ballast last set (never the value), so a new version is a change and an unchanged one costs no secret read.
 */
export const PASSWORD_VERSION_TAG = 'ballast.dev/master-password-version';
export const MASTER_PASSWORD = 'spec.masterPassword';
/** The live side of a change away from the password RDS manages. */
export const MANAGED_BY_RDS = 'managed by RDS';

export interface OwnSecret {
  secretArn: string;
  key: string;
}

export function ownSecret(m: DbInstance): OwnSecret | undefined {
  const p = m.spec.masterPassword;
  return 'secretArn' in p ? { secretArn: p.secretArn, key: p.key ?? 'password' } : undefined;
}

/** The current version of each secret the manifests name: one DescribeSecret per secret, read on every reconcile. */
export async function secretVersions(manifests: DbInstance[], ctx: ObserveContext): Promise<Map<string, string | ResourceError>> {
  const arns = [...new Set(manifests.flatMap((m) => ownSecret(m)?.secretArn ?? []))];
  const found = await Promise.all(
    arns.map(async (arn) => {
      try {
        return [arn, await ctx.limit('secretsmanager', () => currentVersion(ctx.aws, arn))] as const;
      } catch (err) {
        return [arn, errorOf(err)] as const;
      }
    }),
  );
  return new Map<string, string | ResourceError>(found);
}

/** A password RDS manages becomes the secret's; a version other than the recorded one is set again. */
export function ownSecretChange(live: LiveDbInstance): FieldChange | undefined {
  const current = live.secretVersion;
  if (current === undefined) return undefined;
  if (live.manageMasterUserPassword) {
    return { path: MASTER_PASSWORD, live: MANAGED_BY_RDS, desired: current, reason: "RDS manages the password: Ballast turns that off and sets the secret's value" };
  }
  const recorded = live.tags[PASSWORD_VERSION_TAG];
  if (recorded === current) return undefined;
  return { path: MASTER_PASSWORD, live: recorded ?? null, desired: current, reason: recorded ? 'secret version changed' : 'no secret version recorded on the instance' };
}
