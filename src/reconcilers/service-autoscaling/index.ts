import type { Reconciler } from '../../engine/types.js';
import { resourceIdOf, type LiveServiceAutoscaling } from './model.js';
import { describeTargets, observeAutoscaling, TARGET_BATCH } from './observe.js';
import { batchedRead } from '../../health/batcher.js';
import { diffAutoscaling } from './diff.js';
import { autoscalingSteps } from './steps.js';
import { deleteAutoscaling, discoverAutoscaling } from './owned.js';

export type { LivePolicy, LiveScheduledAction, LiveServiceAutoscaling } from './model.js';

/**
 * Application Auto Scaling for one ECS service. No taggingType: the API has no tags, so ownership follows the
 * EcsService (see observeAutoscaling), and prune finds targets through the owned services (discoverAutoscaling).
 */
export const serviceAutoscaling: Reconciler<'ServiceAutoscaling', LiveServiceAutoscaling> = {
  kind: 'ServiceAutoscaling',
  observe: observeAutoscaling,
  diff: (desired, live) => diffAutoscaling(desired, live),
  steps: autoscalingSteps,
  dependsOn: (desired) => [`EcsService/${desired.spec.service}`],
  discoverOwned: discoverAutoscaling,
  deleteSteps: deleteAutoscaling,
  /** Registering takes effect at once: there is no rollout to wait for, only the target to exist (50 checked a call). */
  async health(desired, ctx) {
    const resourceId = resourceIdOf(desired, ctx);
    const read = batchedRead(ctx, 'autoscaling:DescribeScalableTargets', TARGET_BATCH, async (ids) =>
      new Map((await describeTargets(ctx, ids)).map((t) => [t.ResourceId ?? '', t])),
    );
    const found = (await read(resourceId)) !== undefined;
    return { steady: found, reason: found ? `scalable target ${resourceId} registered` : `scalable target ${resourceId} not registered` };
  },
};
