import { DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import type { ServiceAutoscaling } from '../../schema/index.js';
import type { ObserveContext, Step } from '../../engine/types.js';
import { MANAGED_BY_TAG, MANIFEST_TAG } from '../../engine/tags.js';
import { chunks } from '../../aws/batch.js';
import { describeTargets, TARGET_BATCH } from './observe.js';
import { DIMENSION, NAMESPACE, resourceIdOf } from './model.js';

/** Ids prune works with: one per scaling policy, and the target itself (named like the service, so it goes last). */
const TARGET = 'autoscaling:target/';
const POLICY = 'autoscaling:policy/';

/** `service/<cluster>/<name>` of an ECS service ARN `arn:aws:ecs:<region>:<account>:service/<cluster>/<name>`. */
const resourceIdOfArn = (arn: string) => arn.slice(arn.indexOf(':service/') + 1);

/**
 * Application Auto Scaling has no tags Ballast can read back, so a scalable target is Ballast's when the ECS service
 * it scales is (the tagging read found it). Those no ServiceAutoscaling manifest covers are found here: one
 * DescribeScalableTargets per 50 such services, then the policies of each target found (to delete them by name).
 */
export async function discoverAutoscaling(ctx: ObserveContext, tagged: Map<string, Record<string, string>>): Promise<Map<string, Record<string, string>>> {
  const covered = new Set(
    ctx.manifests.filter((m): m is ServiceAutoscaling => m.kind === 'ServiceAutoscaling').flatMap((m) => {
      try {
        return [resourceIdOf(m, ctx)];
      } catch {
        return [];
      }
    }),
  );
  const services = [...tagged.keys()].filter((arn) => arn.startsWith('arn:') && arn.includes(':service/')).map(resourceIdOfArn);
  const candidates = services.filter((id) => !covered.has(id));
  const owned = new Map<string, Record<string, string>>();
  for (const batch of chunks(candidates, TARGET_BATCH)) {
    for (const target of await describeTargets(ctx, batch)) {
      const resourceId = target.ResourceId!;
      const tags = { [MANAGED_BY_TAG]: ctx.controllerId, [MANIFEST_TAG]: `ServiceAutoscaling/${resourceId.split('/').pop()}` };
      const policies = await ctx.limit('autoscaling', () =>
        ctx.aws.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: NAMESPACE, ScalableDimension: DIMENSION, ResourceId: resourceId })),
      );
      for (const p of policies.ScalingPolicies ?? []) if (p.ResourceId === resourceId) owned.set(`${POLICY}${resourceId}/${p.PolicyName}`, tags);
      owned.set(`${TARGET}${resourceId}`, tags);
    }
  }
  return owned;
}

const on = (resourceId: string) => ({ ServiceNamespace: NAMESPACE, ResourceId: resourceId, ScalableDimension: DIMENSION });

/** Policies first (by name), then the target: AWS would drop the policies with the target, but the plan says so. */
export function deleteAutoscaling(_name: string, id: string): Step[] {
  if (id.startsWith(POLICY)) {
    const rest = id.slice(POLICY.length);
    const resourceId = rest.slice(0, rest.lastIndexOf('/'));
    const PolicyName = rest.slice(rest.lastIndexOf('/') + 1);
    return [{ op: 'delete', summary: `delete scaling policy ${PolicyName}`, calls: [{ service: 'autoscaling', operation: 'DeleteScalingPolicy', input: { ...on(resourceId), PolicyName } }] }];
  }
  const resourceId = id.slice(TARGET.length);
  return [{ op: 'delete', summary: `deregister scalable target ${resourceId}`, calls: [{ service: 'autoscaling', operation: 'DeregisterScalableTarget', input: on(resourceId) }] }];
}
