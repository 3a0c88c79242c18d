import { ANNOTATIONS, type Manifest } from '../schema/index.js';

export const MANAGED_BY_TAG = 'ballast.dev/managed-by';
export const MANIFEST_TAG = 'ballast.dev/manifest';
/** Copied from the annotation so a later prune (when the manifest is gone) still knows the opt-in. */
export const ALLOW_DESTRUCTIVE_TAG = ANNOTATIONS.allowDestructive;

/** The tags every resource Ballast creates or adopts carries. */
export function ownershipTags(controllerId: string, m: Manifest): Record<string, string> {
  const tags: Record<string, string> = { [MANAGED_BY_TAG]: controllerId, [MANIFEST_TAG]: `${m.kind}/${m.metadata.name}` };
  if (allowsDestructive(m)) tags[ALLOW_DESTRUCTIVE_TAG] = 'true';
  return tags;
}

const OWNERSHIP_KEYS = [MANAGED_BY_TAG, MANIFEST_TAG, ALLOW_DESTRUCTIVE_TAG];

/** The tags Ballast itself manages on a resource; all others belong to someone else and are never touched. */
export function ownershipSubset(tags: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).filter(([k]) => OWNERSHIP_KEYS.includes(k)));
}

export function allowsDestructive(m: Manifest): boolean {
  return m.metadata.annotations?.[ANNOTATIONS.allowDestructive] === 'true';
}

export function wantsAdoption(m: Manifest): boolean {
  return m.metadata.annotations?.[ANNOTATIONS.adopt] === 'true';
}

/** Tags as the AWS APIs spell them: `Key`/`Value` (RDS, CloudWatch) or `key`/`value` (ECS). */
export const asKeyValue = (tags: Record<string, string>) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
export const asLowerKeyValue = (tags: Record<string, string>) => Object.entries(tags).map(([key, value]) => ({ key, value }));
