import type { AwsCall, Context, Reconciler } from '../../engine/types.js';
import { asKeyValue, ownershipTags } from '../../engine/tags.js';
import type { DbInstance } from '../../schema/index.js';
import { diffDbInstance } from './diff.js';
import { dbHealth } from './health.js';
import { identifierOfArn, observeDbInstances } from './observe.js';
import type { LiveDbInstance } from './live.js';
import { deleteSteps, planSteps } from './steps.js';

export type { LiveDbInstance, LiveReplica } from './live.js';

/**
 * The manifest name behind an owned instance ARN (`arn:…:db:<identifier>`). Replicas map to their primary's
 * manifest, so a live replica is never taken for a manifest that is gone. This relies on the convention
 * identifier == metadata.name: an instance whose manifest states a different spec.identifier is named by that
 * identifier here. A DbInstance name of its own ending in `-replica-<n>` would be read as a replica.
 */
export function nameOf(arn: string): string {
  return identifierOfArn(arn).replace(/-replica-[1-9][0-9]*$/, '');
}

/** AddTagsToResource on the instance and on its replicas named by convention: adoption takes over the whole set. */
function adoptCalls(desired: DbInstance, live: LiveDbInstance, ctx: Context): AwsCall[] {
  const Tags = asKeyValue(ownershipTags(ctx.controllerId, desired));
  const arns = [live.arn, ...live.replicas.filter((r) => !r.owned && r.index !== undefined).map((r) => r.arn)];
  return arns.map((ResourceName) => ({ service: 'rds', operation: 'AddTagsToResource', input: { ResourceName, Tags } }));
}

export const dbInstance: Reconciler<'DbInstance', LiveDbInstance> = {
  kind: 'DbInstance',
  taggingType: 'rds:db',
  // DescribeDBInstances returns the TagList.
  tagsInline: true,
  observe: observeDbInstances,
  diff: diffDbInstance,
  steps: planSteps,
  dependsOn: () => [],
  health: dbHealth,
  // An instance takes 5 to 20 minutes to create, and minutes to modify.
  slowToSettle: true,
  explain: (live) => live.replicaDecision && `read replicas: ${live.replicaDecision.reason}`,
  // A DB holds data: prune deletes it (with a final snapshot) only where the opt-in tag says so.
  deleteIsDestructive: true,
  nameOf,
  deleteSteps,
  adoptCalls,
};
