import { DescribeServicesCommand, DescribeTaskDefinitionCommand, paginateListServices } from '@aws-sdk/client-ecs';
import { DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import type { Aws } from '../aws/clients.js';
import { chunks } from '../aws/batch.js';
import { arnName } from '../diff/compare.js';
import { ECS_DEFAULTS, toLive, type LiveContainer, type LiveEcsService } from '../reconcilers/ecs-service/live.js';
import { DIMENSION, METRIC, NAMESPACE, SLOTS } from '../reconcilers/service-autoscaling/model.js';
import { manifest, type Draft } from './manifest.js';
import type { Names } from './names.js';

/** DescribeServices takes 10 names a call; DescribeScalableTargets 50 resource ids. */
const SERVICE_BATCH = 10;
const TARGET_BATCH = 50;

/** Schema defaults of a scaling policy: stated only when the live policy differs. */
const COOLDOWN = { scaleInCooldown: 300, scaleOutCooldown: 60 };

/** Reads the services of a cluster (all, or those named) with their task definitions. */
export async function readServices(aws: Aws, cluster: string, only: string[]): Promise<LiveEcsService[]> {
  let names = only;
  if (names.length === 0) {
    names = [];
    for await (const page of paginateListServices({ client: aws.ecs }, { cluster })) names.push(...(page.serviceArns ?? []).map(arnName));
  }
  const services = (
    await Promise.all(chunks(names, SERVICE_BATCH).map(async (batch) => (await aws.ecs.send(new DescribeServicesCommand({ cluster, services: batch, include: ['TAGS'] }))).services ?? []))
  ).flat();
  return Promise.all(
    services
      .filter((s) => s.status === 'ACTIVE')
      .map(async (s) => toLive(s, (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition }))).taskDefinition ?? {})),
  );
}

/** The service's ServiceAutoscaling manifest, when a scalable target exists for it. */
async function readAutoscaling(aws: Aws, services: LiveEcsService[]): Promise<Map<string, Draft>> {
  const ids = services.map((s) => `service/${s.cluster}/${arnName(s.arn)}`);
  const out = new Map<string, Draft>();
  for (const batch of chunks(ids, TARGET_BATCH)) {
    const targets = (await aws.autoscaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: NAMESPACE, ScalableDimension: DIMENSION, ResourceIds: batch }))).ScalableTargets ?? [];
    for (const t of targets) {
      const name = t.ResourceId?.split('/').at(-1) ?? '';
      const policies = (await aws.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: NAMESPACE, ResourceId: t.ResourceId }))).ScalingPolicies ?? [];
      const spec: Record<string, unknown> = { service: name, minTasks: t.MinCapacity, maxTasks: t.MaxCapacity };
      for (const slot of SLOTS) {
        const config = policies.find((p) => p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType === METRIC[slot])
          ?.TargetTrackingScalingPolicyConfiguration;
        if (!config) continue;
        spec[slot] = {
          targetValue: config.TargetValue,
          ...(config.ScaleInCooldown !== COOLDOWN.scaleInCooldown ? { scaleInCooldown: config.ScaleInCooldown ?? 300 } : {}),
          ...(config.ScaleOutCooldown !== COOLDOWN.scaleOutCooldown ? { scaleOutCooldown: config.ScaleOutCooldown ?? 300 } : {}),
          ...(config.DisableScaleIn ? { disableScaleIn: true } : {}),
        };
      }
      out.set(name, manifest('ServiceAutoscaling', name, spec));
    }
  }
  return out;
}

/** One file per service: its EcsService and, when scaled, its ServiceAutoscaling. */
export async function importServices(aws: Aws, cluster: string, only: string[], names: Names): Promise<Map<string, Draft[]>> {
  const services = await readServices(aws, cluster, only);
  await names.load(services.flatMap((s) => s.network.subnets), services.flatMap((s) => s.network.securityGroups));
  const scaling = await readAutoscaling(aws, services);
  const region = await aws.region();
  return new Map(
    services.map((s) => {
      const name = arnName(s.arn);
      const autoscaling = scaling.get(name);
      return [name, [manifest('EcsService', name, serviceSpec(s, names, region, autoscaling !== undefined)), ...(autoscaling ? [autoscaling] : [])]];
    }),
  );
}

function serviceSpec(s: LiveEcsService, names: Names, region: string, scaled: boolean): Record<string, unknown> {
  const d = s.deployment;
  const deployment = {
    ...(d.minimumHealthyPercent !== ECS_DEFAULTS.deployment.minimumHealthyPercent ? { minimumHealthyPercent: d.minimumHealthyPercent } : {}),
    ...(d.maximumPercent !== ECS_DEFAULTS.deployment.maximumPercent ? { maximumPercent: d.maximumPercent } : {}),
    // The schema defaults the breaker to on, so it is always stated as it is.
    circuitBreaker: d.circuitBreaker,
  };
  return {
    cluster: s.cluster,
    cpu: s.cpu,
    memory: s.memory,
    ...(s.executionRole ? { executionRole: names.role(s.executionRole) } : {}),
    ...(s.taskRole ? { taskRole: names.role(s.taskRole) } : {}),
    containers: s.containers.map((c) => container(c, region)),
    network: {
      subnets: s.network.subnets.map(names.subnet),
      securityGroups: s.network.securityGroups.map(names.securityGroup),
      ...(s.network.assignPublicIp ? { assignPublicIp: true } : {}),
    },
    ...(s.loadBalancer?.targetGroup
      ? { loadBalancer: { targetGroup: names.targetGroup(s.loadBalancer.targetGroup), containerName: s.loadBalancer.containerName, containerPort: s.loadBalancer.containerPort } }
      : {}),
    // A scaled service's count belongs to the autoscaler.
    ...(scaled ? {} : { desiredCount: s.desiredCount }),
    ...(s.healthCheckGracePeriodSeconds !== ECS_DEFAULTS.healthCheckGracePeriodSeconds ? { healthCheckGracePeriodSeconds: s.healthCheckGracePeriodSeconds } : {}),
    deployment,
    ...(s.platformVersion && s.platformVersion !== 'LATEST' ? { platformVersion: s.platformVersion } : {}),
    ...(s.enableExecuteCommand ? { enableExecuteCommand: true } : {}),
  };
}

function container(c: LiveContainer, region: string): Record<string, unknown> {
  const hc = c.healthCheck;
  const hcDefaults = ECS_DEFAULTS.healthCheck;
  return {
    name: c.name,
    image: c.image,
    ...(c.essential ? {} : { essential: false }),
    ...(c.cpu !== undefined ? { cpu: c.cpu } : {}),
    ...(c.memory !== undefined ? { memory: c.memory } : {}),
    ...(c.ports.length > 0 ? { ports: c.ports.map((p) => ({ containerPort: p.containerPort, ...(p.protocol !== ECS_DEFAULTS.protocol ? { protocol: p.protocol } : {}) })) } : {}),
    ...(Object.keys(c.environment).length > 0 ? { environment: c.environment } : {}),
    ...(Object.keys(c.secrets).length > 0 ? { secrets: c.secrets } : {}),
    ...(c.logging?.group
      ? { logging: { group: c.logging.group, streamPrefix: c.logging.streamPrefix, ...(c.logging.region && c.logging.region !== region ? { region: c.logging.region } : {}) } }
      : {}),
    ...(hc
      ? {
          healthCheck: {
            command: hc.command,
            ...Object.fromEntries((['interval', 'timeout', 'retries', 'startPeriod'] as const).filter((k) => hc[k] !== hcDefaults[k]).map((k) => [k, hc[k]])),
          },
        }
      : {}),
  };
}
