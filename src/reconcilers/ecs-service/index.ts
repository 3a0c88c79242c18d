import type { Reconciler } from '../../engine/types.js';
import type { LiveEcsService } from './live.js';
import { observe } from './observe.js';
import { diff } from './diff.js';
import { adoptCalls, deleteSteps, nameOf, steps } from './steps.js';
import { health } from './health.js';

export type { LiveEcsService, LiveContainer } from './live.js';

/** An ECS service on Fargate and the task definition family (metadata.name) it runs. */
export const ecsService: Reconciler<'EcsService', LiveEcsService> = {
  kind: 'EcsService',
  taggingType: 'ecs:service',
  // DescribeServices returns the tags (include TAGS).
  tagsInline: true,
  observe,
  diff,
  steps,
  // Network pieces are account refs, not manifests: nothing to wait for.
  dependsOn: () => [],
  health,
  // A service serves traffic: prune deletes it only with the destructive opt-in tag.
  deleteIsDestructive: true,
  // A refused cluster move holds back the rest: UpdateService names the manifest's cluster, where the service is not.
  inseparable: ['spec.cluster'],
  nameOf,
  deleteSteps,
  adoptCalls,
};
