import type { AwsCall, Step } from '../engine/types.js';
import type { Manifest } from '../schema/index.js';

/**
 * What an action does to what runs, from AWS's documented behaviour of each call:
 * - rolls tasks: ECS starts a new deployment (new task definition revision, network, load balancer or platform change);
 * - brief outage: a Multi-AZ class change fails over to the modified standby (about a minute);
 * - restarts DB: the instance is down while RDS changes it (class without Multi-AZ, engine upgrade, new parameter group);
 * - replaces: a new resource takes over and the old one is deleted (service moved to another cluster);
 * - deletes: the resource is gone afterwards; none: nothing running notices.
 */
export type DisruptionLevel = 'none' | 'rolls tasks' | 'brief outage' | 'restarts DB' | 'replaces' | 'deletes';

export interface Disruption {
  level: DisruptionLevel;
  /** Why, in a few words; empty for none. */
  reason: string;
}

const ORDER: DisruptionLevel[] = ['none', 'rolls tasks', 'brief outage', 'restarts DB', 'replaces', 'deletes'];
const NONE: Disruption = { level: 'none', reason: '' };

/** UpdateService fields that start a new ECS deployment, i.e. replace every running task. */
const ROLLS = ['taskDefinition', 'networkConfiguration', 'loadBalancers', 'platformVersion', 'enableExecuteCommand'];

function ecsCall(call: AwsCall): Disruption {
  if (call.operation === 'DeleteService') return { level: 'deletes', reason: 'the service stops and its tasks are drained' };
  if (call.operation !== 'UpdateService') return NONE;
  const rolled = ROLLS.filter((f) => call.input[f] !== undefined);
  if (rolled.length === 0) return NONE;
  return { level: 'rolls tasks', reason: `a new deployment replaces every task (${rolled.join(', ')})` };
}

function rdsCall(call: AwsCall, multiAZ: (identifier: string) => boolean): Disruption {
  const input = call.input;
  const id = String(input.DBInstanceIdentifier ?? '');
  if (call.operation === 'DeleteDBInstance') return { level: 'deletes', reason: `${id} is deleted${input.SkipFinalSnapshot === false ? ' (a final snapshot is kept)' : ''}` };
  if (call.operation !== 'ModifyDBInstance') return NONE;
  const when = input.ApplyImmediately === false ? ', in the next maintenance window' : '';
  const found: Disruption[] = [];
  if (input.EngineVersion !== undefined) found.push({ level: 'restarts DB', reason: `an engine upgrade takes ${id} down, standby included${when}` });
  if (input.DBParameterGroupName !== undefined) found.push({ level: 'restarts DB', reason: `a new parameter group takes effect when ${id} reboots${when}` });
  if (input.DBInstanceClass !== undefined) {
    found.push(
      multiAZ(id)
        ? { level: 'brief outage', reason: `Multi-AZ: the standby takes the new class, then ${id} fails over (about a minute)${when}` }
        : { level: 'restarts DB', reason: `${id} is down while its class changes (no Multi-AZ standby)${when}` },
    );
  }
  if (input.DBSubnetGroupName !== undefined) found.push({ level: 'brief outage', reason: `${id} moves to other subnets${when}` });
  return worst(found);
}

/** The most disruptive of several (none for none). */
export function worst(list: Disruption[]): Disruption {
  return list.reduce((a, b) => (ORDER.indexOf(b.level) > ORDER.indexOf(a.level) ? b : a), NONE);
}

/** The disruption of one planned step: the worst of its calls (a create and a delete in one resource replace it). */
export function disruptionOf(step: Pick<Step, 'calls'>, manifest: Manifest | undefined, siblings: Pick<Step, 'calls'>[] = []): Disruption {
  const ops = [step, ...siblings].flatMap((s) => s.calls.map((c) => c.operation));
  if (ops.includes('CreateService') && ops.includes('DeleteService')) {
    return { level: 'replaces', reason: 'a new service is created in the new cluster, then the old one is deleted' };
  }
  const multiAZ = (id: string) => manifest?.kind === 'DbInstance' && (manifest.spec.identifier ?? manifest.metadata.name) === id && manifest.spec.multiAZ === true;
  const each = step.calls.map((call): Disruption => {
    if (call.service === 'ecs') return ecsCall(call);
    if (call.service === 'rds') return rdsCall(call, multiAZ);
    if (/^(Delete|Deregister)/.test(call.operation)) return { level: 'deletes', reason: `${call.operation} removes it` };
    return NONE;
  });
  return worst(each);
}

/** `rolls tasks: a new deployment …`, or `none`. */
export function describeDisruption(d: Disruption): string {
  return d.level === 'none' ? 'none' : `${d.level}: ${d.reason}`;
}
