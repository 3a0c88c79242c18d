import type { EcsService } from '../../schema/index.js';
import type { Context, FieldChange } from '../../engine/types.js';
import { Changes } from '../../diff/compare.js';
import { MANAGED_BY_TAG, ownershipSubset, ownershipTags } from '../../engine/tags.js';
import { familyOf, type LiveContainer, type LiveEcsService } from './live.js';
import { autoscalerOf, networkIds, portsOf, roleArn, targetGroupArn } from './desired.js';

type Container = EcsService['spec']['containers'][number];

/** The tags Ballast manages on a resource it owns; other tags are someone else's. */

const CLUSTER_MOVE = 'moving a service to another cluster replaces it: a new service is created, then the old one deleted';

/** Field changes over what the manifest states, with names resolved to the ids and ARNs ECS returns. */
export function diff(desired: EcsService, live: LiveEcsService, ctx: Context): FieldChange[] {
  const spec = desired.spec;
  const c = new Changes();
  c.field('spec.cluster', live.cluster, spec.cluster, { destructive: CLUSTER_MOVE });
  // A service pointed at another family runs a task definition Ballast does not manage.
  c.field('taskDefinition', familyOf(live.taskDefinition), desired.metadata.name);
  c.field('spec.cpu', live.cpu, spec.cpu);
  c.field('spec.memory', live.memory, spec.memory);
  c.field('spec.executionRole', live.executionRole, roleArn(ctx.refs, spec.executionRole));
  c.field('spec.taskRole', live.taskRole, roleArn(ctx.refs, spec.taskRole));
  diffContainers(c, spec.containers, live.containers);
  c.set('spec.volumes', live.volumes, spec.volumes?.map((v) => v.name));

  const network = networkIds(spec, ctx.refs);
  c.set('spec.network.subnets', live.network.subnets, network.subnets);
  c.set('spec.network.securityGroups', live.network.securityGroups, network.securityGroups);
  c.field('spec.network.assignPublicIp', live.network.assignPublicIp, spec.network.assignPublicIp);
  if (spec.loadBalancer) {
    c.field('spec.loadBalancer.targetGroup', live.loadBalancer?.targetGroup, targetGroupArn(spec, ctx.refs));
    c.field('spec.loadBalancer.containerName', live.loadBalancer?.containerName, spec.loadBalancer.containerName);
    c.field('spec.loadBalancer.containerPort', live.loadBalancer?.containerPort, spec.loadBalancer.containerPort);
  }
  // The autoscaler moves desiredCount all day: that is not drift.
  if (!autoscalerOf(desired, ctx)) c.field('spec.desiredCount', live.desiredCount, spec.desiredCount);
  const d = spec.deployment;
  c.field('spec.deployment.minimumHealthyPercent', live.deployment.minimumHealthyPercent, d?.minimumHealthyPercent);
  c.field('spec.deployment.maximumPercent', live.deployment.maximumPercent, d?.maximumPercent);
  c.field('spec.deployment.circuitBreaker.enable', live.deployment.circuitBreaker.enable, d?.circuitBreaker?.enable);
  c.field('spec.deployment.circuitBreaker.rollback', live.deployment.circuitBreaker.rollback, d?.circuitBreaker?.rollback);
  c.field('spec.healthCheckGracePeriodSeconds', live.healthCheckGracePeriodSeconds, spec.healthCheckGracePeriodSeconds);
  c.field('spec.platformVersion', live.platformVersion, spec.platformVersion);
  c.field('spec.enableExecuteCommand', live.enableExecuteCommand, spec.enableExecuteCommand);
  // Tags of a service owned by someone else are adoption's business, not drift.
  if (live.tags[MANAGED_BY_TAG] === ctx.controllerId) c.field('tags', ownershipSubset(live.tags), ownershipTags(ctx.controllerId, desired));
  return c.list;
}

function diffContainers(c: Changes, desired: Container[], live: LiveContainer[]): void {
  c.set('spec.containers', live.map((l) => l.name), desired.map((d) => d.name));
  for (const want of desired) {
    const have = live.find((l) => l.name === want.name);
    if (!have) continue;
    const at = `spec.containers[${want.name}]`;
    c.field(`${at}.image`, have.image, want.image);
    c.field(`${at}.essential`, have.essential, want.essential);
    c.field(`${at}.cpu`, have.cpu, want.cpu);
    c.field(`${at}.memory`, have.memory, want.memory);
    c.set(`${at}.ports`, have.ports, portsOf(want));
    c.field(`${at}.environment`, have.environment, want.environment);
    c.field(`${at}.secrets`, have.secrets, want.secrets && sameSecrets(have.secrets, want.secrets));
    if (want.logging) {
      c.field(`${at}.logging.driver`, have.logging?.driver, want.logging.driver);
      c.field(`${at}.logging.group`, have.logging?.group, want.logging.group);
      c.field(`${at}.logging.streamPrefix`, have.logging?.streamPrefix, want.logging.streamPrefix);
      c.field(`${at}.logging.region`, have.logging?.region, want.logging.region);
    }
    c.field(`${at}.readonlyRootFilesystem`, have.readonlyRootFilesystem, want.readonlyRootFilesystem);
    c.set(`${at}.mountPoints`, have.mountPoints, want.mountPoints?.map((m) => ({ ...m, readOnly: m.readOnly ?? false })));
    c.field(`${at}.initProcessEnabled`, have.initProcessEnabled, want.initProcessEnabled);
    c.field(`${at}.stopTimeout`, have.stopTimeout, want.stopTimeout);
    c.field(`${at}.user`, have.user, want.user);
    c.set(`${at}.ulimits`, have.ulimits, want.ulimits);
    c.set(`${at}.dependsOn`, have.dependsOn, want.dependsOn);
    if (want.healthCheck) {
      const hc = want.healthCheck;
      c.field(`${at}.healthCheck.command`, have.healthCheck?.command, hc.command);
      c.field(`${at}.healthCheck.interval`, have.healthCheck?.interval, hc.interval);
      c.field(`${at}.healthCheck.timeout`, have.healthCheck?.timeout, hc.timeout);
      c.field(`${at}.healthCheck.retries`, have.healthCheck?.retries, hc.retries);
      c.field(`${at}.healthCheck.startPeriod`, have.healthCheck?.startPeriod, hc.startPeriod);
    }
  }
}

/** `…:secret:name` and `…:secret:name-AbCdEf` (the random suffix Secrets Manager adds) name the same secret. */
export function sameSecretRef(a: string, b: string): boolean {
  if (a === b) return true;
  const parse = (ref: string) => /^(arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:)([^:]+)(.*)$/.exec(ref);
  const [x, y] = [parse(a), parse(b)];
  if (!x || !y || x[1] !== y[1] || x[3] !== y[3]) return false;
  const suffixed = (long: string, short: string) => long.startsWith(`${short}-`) && /^[A-Za-z0-9]{6}$/.test(long.slice(short.length + 1));
  return suffixed(x[2]!, y[2]!) || suffixed(y[2]!, x[2]!);
}

/** The desired secrets, each written as the live reference when both name the same secret, so only real changes differ. */
function sameSecrets(live: Record<string, string>, desired: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(desired).map(([k, v]) => [k, live[k] !== undefined && sameSecretRef(live[k], v) ? live[k] : v]));
}
