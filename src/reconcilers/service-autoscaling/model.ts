import type { ServiceAutoscaling } from '../../schema/index.js';
import { ResourceFailure, type Context } from '../../engine/types.js';

export const NAMESPACE = 'ecs';
export const DIMENSION = 'ecs:service:DesiredCount';

/** The two target-tracking slots a manifest can state, and the predefined metric each one tracks. */
export const SLOTS = ['cpu', 'memory'] as const;
export type Slot = (typeof SLOTS)[number];
export const METRIC: Record<Slot, string> = {
  cpu: 'ECSServiceAverageCPUUtilization',
  memory: 'ECSServiceAverageMemoryUtilization',
};

export interface LivePolicy {
  /** Predefined metric type; undefined for a policy that is not target tracking on a predefined metric. */
  metric: string | undefined;
  targetValue: number | undefined;
  scaleInCooldown: number;
  scaleOutCooldown: number;
  disableScaleIn: boolean;
}

export interface LiveScheduledAction {
  /** The manifest's action name (the AWS name without the `<metadata.name>-` prefix). */
  name: string;
  schedule: string;
  timezone: string;
  minTasks?: number;
  maxTasks?: number;
}

/** A scalable target with its policies and scheduled actions, in the manifest's shape. */
export interface LiveServiceAutoscaling {
  resourceId: string;
  minTasks: number | undefined;
  maxTasks: number | undefined;
  cpu?: LivePolicy;
  memory?: LivePolicy;
  /** Actions named `<metadata.name>-…` on the target; read only when the manifest states scheduledActions. */
  scheduledActions?: LiveScheduledAction[];
}

export const policyName = (m: ServiceAutoscaling, slot: Slot) => `${m.metadata.name}-${slot}`;
export const actionName = (m: ServiceAutoscaling, action: string) => `${m.metadata.name}-${action}`;
/** The manifest path of one scheduled action, keyed by its name. */
export const actionPath = (action: string) => `spec.scheduledActions[${action}]`;

/** The cluster comes from the EcsService this manifest scales (the validator guarantees it is in the revision). */
export function resourceIdOf(m: ServiceAutoscaling, ctx: Pick<Context, 'find'>): string {
  const service = ctx.find('EcsService', m.spec.service);
  if (!service) throw new ResourceFailure('ServiceNotInRevision', `EcsService "${m.spec.service}" is not in this revision`);
  return `service/${service.spec.cluster}/${service.metadata.name}`;
}
