import type { ServiceAutoscaling } from '../../schema/index.js';
import type { AwsCall, Context, FieldChange, Step } from '../../engine/types.js';
import { actionName, actionPath, DIMENSION, METRIC, NAMESPACE, policyName, resourceIdOf, SLOTS, type LiveServiceAutoscaling, type Slot } from './model.js';
import { ownershipTags } from '../../engine/tags.js';

type Action = NonNullable<ServiceAutoscaling['spec']['scheduledActions']>[number];

const call = (operation: string, input: Record<string, unknown>): AwsCall => ({ service: 'autoscaling', operation, input });
const on = (resourceId: string) => ({ ServiceNamespace: NAMESPACE, ResourceId: resourceId, ScalableDimension: DIMENSION });

/** Tags can only be given when the target is created; ownership itself follows the ECS service it scales. */
const registerTarget = (m: ServiceAutoscaling, resourceId: string, tags?: Record<string, string>) =>
  call('RegisterScalableTarget', { ...on(resourceId), MinCapacity: m.spec.minTasks, MaxCapacity: m.spec.maxTasks, ...(tags ? { Tags: tags } : {}) });

/** PutScalingPolicy replaces the whole policy, so the whole stated policy is sent every time. */
function putPolicy(m: ServiceAutoscaling, slot: Slot, resourceId: string): AwsCall {
  const p = m.spec[slot]!;
  return call('PutScalingPolicy', {
    ...on(resourceId),
    PolicyName: policyName(m, slot),
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: p.targetValue,
      PredefinedMetricSpecification: { PredefinedMetricType: METRIC[slot] },
      ScaleInCooldown: p.scaleInCooldown,
      ScaleOutCooldown: p.scaleOutCooldown,
      DisableScaleIn: p.disableScaleIn,
    },
  });
}

function putAction(m: ServiceAutoscaling, a: Action, resourceId: string): AwsCall {
  return call('PutScheduledAction', {
    ...on(resourceId),
    ScheduledActionName: actionName(m, a.name),
    Schedule: a.schedule,
    Timezone: a.timezone,
    ScalableTargetAction: { MinCapacity: a.minTasks, MaxCapacity: a.maxTasks },
  });
}

const LABEL: Record<string, string> = {
  PutScalingPolicy: 'put scaling policy',
  DeleteScalingPolicy: 'delete scaling policy',
  PutScheduledAction: 'put scheduled action',
  DeleteScheduledAction: 'delete scheduled action',
};
const summaryOf = (calls: AwsCall[]) =>
  calls.map((c) => `${LABEL[c.operation]} ${String(c.input.PolicyName ?? c.input.ScheduledActionName)}`).join('; ');

/**
 * Create registers the target, then its policies and scheduled actions (AWS refuses both before the target
 * exists). Update sends only the pieces the changes name; Put* calls are create-or-replace, so a changed policy
 * or action is sent whole, and one named by Ballast's convention that the manifest dropped is deleted.
 */
export function autoscalingSteps(desired: ServiceAutoscaling, live: LiveServiceAutoscaling | undefined, changes: FieldChange[], ctx: Context): Step[] {
  const resourceId = resourceIdOf(desired, ctx);
  const changed = (path: string) => !live || changes.some((c) => c.path === path || c.path.startsWith(`${path}.`));
  const op = live ? 'update' : 'create';

  const policyCalls = SLOTS.filter((slot) => changed(`spec.${slot}`) && (desired.spec[slot] || live?.[slot])).map((slot) =>
    desired.spec[slot] ? putPolicy(desired, slot, resourceId) : call('DeleteScalingPolicy', { ...on(resourceId), PolicyName: policyName(desired, slot) }),
  );
  const stated = new Map((desired.spec.scheduledActions ?? []).map((a) => [a.name, a]));
  const named = new Set([...stated.keys(), ...(live?.scheduledActions ?? []).map((a) => a.name)]);
  const actionCalls = [...named].filter((name) => changed(actionPath(name))).map((name) => {
    const action = stated.get(name);
    return action ? putAction(desired, action, resourceId) : call('DeleteScheduledAction', { ...on(resourceId), ScheduledActionName: actionName(desired, name) });
  });

  const steps: Step[] = [];
  if (changed('spec.minTasks') || changed('spec.maxTasks')) {
    steps.push({
      part: 'target',
      op,
      summary: `register scalable target ${resourceId} (${desired.spec.minTasks}..${desired.spec.maxTasks} tasks)`,
      calls: [registerTarget(desired, resourceId, live ? undefined : ownershipTags(ctx.controllerId, desired))],
    });
  }
  const after = steps.length > 0 ? { after: ['target'] } : {};
  if (policyCalls.length > 0) steps.push({ part: 'policies', op, summary: summaryOf(policyCalls), calls: policyCalls, ...after });
  if (actionCalls.length > 0) steps.push({ part: 'scheduled-actions', op, summary: summaryOf(actionCalls), calls: actionCalls, ...after });
  return steps;
}
