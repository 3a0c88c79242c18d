import type { ServiceAutoscaling } from '../../schema/index.js';
import type { FieldChange } from '../../engine/types.js';
import { Changes } from '../../diff/compare.js';
import { actionPath, METRIC, SLOTS, type LivePolicy, type LiveScheduledAction, type LiveServiceAutoscaling, type Slot } from './model.js';

type Spec = ServiceAutoscaling['spec'];
type Policy = NonNullable<Spec['cpu']>;
type Action = NonNullable<Spec['scheduledActions']>[number];

/**
 * A policy named `<name>-cpu`/`-memory` is Ballast's by its name, so a live one whose block the manifest
 * dropped is reported (desired null) and deleted; a policy on another metric is replaced whole.
 */
function diffPolicy(c: Changes, slot: Slot, desired: Policy | undefined, live: LivePolicy | undefined): void {
  const path = `spec.${slot}`;
  if (!desired) {
    if (live) c.list.push({ path, live, desired: null });
    return;
  }
  if (!live || live.metric !== METRIC[slot]) {
    c.list.push({ path, live: live ?? null, desired });
    return;
  }
  c.field(`${path}.targetValue`, live.targetValue, desired.targetValue);
  c.field(`${path}.scaleInCooldown`, live.scaleInCooldown, desired.scaleInCooldown);
  c.field(`${path}.scaleOutCooldown`, live.scaleOutCooldown, desired.scaleOutCooldown);
  c.field(`${path}.disableScaleIn`, live.disableScaleIn, desired.disableScaleIn);
}

/** Only for a manifest that states scheduledActions: then the list is the whole truth, and extras are deleted. */
function diffActions(c: Changes, desired: Action[], live: LiveScheduledAction[]): void {
  const liveByName = new Map(live.map((a) => [a.name, a]));
  for (const action of desired) {
    const path = actionPath(action.name);
    const l = liveByName.get(action.name);
    if (!l) {
      c.list.push({ path, live: null, desired: action });
      continue;
    }
    c.field(`${path}.schedule`, l.schedule, action.schedule);
    c.field(`${path}.timezone`, l.timezone, action.timezone);
    c.field(`${path}.minTasks`, l.minTasks, action.minTasks);
    c.field(`${path}.maxTasks`, l.maxTasks, action.maxTasks);
  }
  const stated = new Set(desired.map((a) => a.name));
  for (const l of live) if (!stated.has(l.name)) c.list.push({ path: actionPath(l.name), live: l, desired: null });
}

export function diffAutoscaling(desired: ServiceAutoscaling, live: LiveServiceAutoscaling): FieldChange[] {
  const c = new Changes();
  c.field('spec.minTasks', live.minTasks, desired.spec.minTasks);
  c.field('spec.maxTasks', live.maxTasks, desired.spec.maxTasks);
  for (const slot of SLOTS) diffPolicy(c, slot, desired.spec[slot], live[slot]);
  if (desired.spec.scheduledActions) diffActions(c, desired.spec.scheduledActions, live.scheduledActions ?? []);
  return c.list;
}
