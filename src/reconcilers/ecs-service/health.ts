import { DescribeServicesCommand, type Deployment, type Service } from '@aws-sdk/client-ecs';
import type { EcsService } from '../../schema/index.js';
import type { Health, ObserveContext } from '../../engine/types.js';
import { batchedRead } from '../../health/batcher.js';

/** DescribeServices takes at most 10 services, all in one cluster. */
const SERVICE_BATCH = 10;

/** Events ECS keeps are newest first; this many say enough about why a rollout failed. */
const FAILURE_EVENTS = 3;

/**
 * Steady when the PRIMARY deployment's rollout has COMPLETED. A FAILED deployment (circuit breaker) stops the wait
 * for good, also once the breaker has rolled back: the rollback (an earlier revision) is then PRIMARY and the failed
 * one drains as ACTIVE. A rollout of a later revision started while it drains (the fix pushed at once) is its own.
 * Services of one cluster checked together share DescribeServices calls.
 */
export async function health(desired: EcsService, ctx: ObserveContext): Promise<Health> {
  const { cluster } = desired.spec;
  const name = desired.metadata.name;
  const read = batchedRead(ctx, `ecs:DescribeServices:${cluster}`, SERVICE_BATCH, async (services) => {
    const out = await ctx.limit('ecs', () => ctx.aws.ecs.send(new DescribeServicesCommand({ cluster, services })));
    // A deleted service may still be listed (INACTIVE) beside the live one of the same name.
    return new Map((out.services ?? []).filter((s) => s.status !== 'INACTIVE').map((s) => [s.serviceName ?? '', s]));
  });
  return serviceHealth(await read(name), `${cluster}/${name}`);
}

/** Pure: what one DescribeServices answer says about a rollout. */
export function serviceHealth(service: Service | undefined, label: string): Health {
  if (!service) return { steady: false, reason: `service ${label} not found` };
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const counts = `${primary?.runningCount ?? service.runningCount ?? 0}/${primary?.desiredCount ?? service.desiredCount ?? 0} tasks running`;
  const failed = service.deployments?.find((d) => d.rolloutState === 'FAILED' && !(primary && laterRevision(primary, d)));
  if (failed) {
    const events = (service.events ?? []).slice(0, FAILURE_EVENTS).map((e) => e.message);
    const rolledBack = failed !== primary ? ` (rolled back to ${primary?.taskDefinition ?? 'the last completed deployment'})` : '';
    return { steady: false, failed: true, reason: [`rollout failed${rolledBack}: ${failed.rolloutStateReason ?? ''}`.trim(), ...events].join('; ') };
  }
  if (primary?.rolloutState === 'COMPLETED') return { steady: true, reason: `rollout completed, ${counts}` };
  return { steady: false, reason: `rollout in progress, ${counts}` };
}

/** The revision number of a task definition ARN (`…:task-definition/family:7`) and its family. */
function revisionOf(arn: string | undefined): { family: string; revision: number } | undefined {
  const match = /task-definition\/(.+):(\d+)$/.exec(arn ?? '');
  return match ? { family: match[1]!, revision: Number(match[2]) } : undefined;
}

/** Whether `primary` runs a later revision of the same family than `failed`: a new rollout, not the breaker's rollback. */
function laterRevision(primary: Deployment, failed: Deployment): boolean {
  const [now, then] = [revisionOf(primary.taskDefinition), revisionOf(failed.taskDefinition)];
  return now !== undefined && then !== undefined && now.family === then.family && now.revision > then.revision;
}
