import { CreateServiceCommand, DescribeServicesCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import type { Aws } from '../../../src/aws/clients.js';
import type { EcsService, Manifest, ServiceAutoscaling } from '../../../src/schema/index.js';
import { asLowerKeyValue, ownershipTags } from '../../../src/engine/tags.js';
import type { Network } from '../../../src/demo/network.js';

const DIMENSION = 'ecs:service:DesiredCount' as const;
const METRIC = { cpu: 'ECSServiceAverageCPUUtilization', memory: 'ECSServiceAverageMemoryUtilization' } as const;

const autoscalings = (manifests: Manifest[]) => manifests.filter((m): m is ServiceAutoscaling => m.kind === 'ServiceAutoscaling');

function serviceOf(manifests: Manifest[], a: ServiceAutoscaling): EcsService {
  const s = manifests.find((m): m is EcsService => m.kind === 'EcsService' && m.metadata.name === a.spec.service);
  if (!s) throw new Error(`no EcsService ${a.spec.service} for ServiceAutoscaling ${a.metadata.name}`);
  return s;
}

/** Names of the given services that already exist in the cluster (DescribeServices takes 10 a call). */
async function existing(aws: Aws, cluster: string, names: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < names.length; i += 10) {
    const out = await aws.ecs.send(new DescribeServicesCommand({ cluster, services: names.slice(i, i + 10) }));
    for (const s of out.services ?? []) if (s.status === 'ACTIVE' && s.serviceName) found.add(s.serviceName);
  }
  return found;
}

/** A minimal Fargate service (task definition family = service name) so the emulator lets a target register. */
async function createService(aws: Aws, net: Network, s: EcsService, desiredCount: number): Promise<void> {
  await aws.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: s.metadata.name,
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: String(s.spec.cpu),
      memory: String(s.spec.memory),
      containerDefinitions: s.spec.containers.map((c) => ({ name: c.name, image: c.image, essential: true })),
    }),
  );
  await aws.ecs.send(
    new CreateServiceCommand({
      cluster: s.spec.cluster,
      serviceName: s.metadata.name,
      taskDefinition: s.metadata.name,
      desiredCount,
      launchType: 'FARGATE',
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: s.spec.network.subnets.map((n) => net.subnets[n] ?? n),
          securityGroups: s.spec.network.securityGroups.map((n) => net.securityGroups[n] ?? n),
        },
      },
      tags: asLowerKeyValue(ownershipTags('ballast', s)),
    }),
  );
}

/** Creates the ECS services the ServiceAutoscaling manifests scale, unless they already exist. */
export async function ensureServices(aws: Aws, net: Network, manifests: Manifest[]): Promise<void> {
  const wanted = autoscalings(manifests).map((a) => ({ a, s: serviceOf(manifests, a) }));
  for (const cluster of new Set(wanted.map(({ s }) => s.spec.cluster))) {
    const inCluster = wanted.filter(({ s }) => s.spec.cluster === cluster);
    const there = await existing(aws, cluster, inCluster.map(({ s }) => s.metadata.name));
    await Promise.all(
      inCluster.filter(({ s }) => !there.has(s.metadata.name)).map(({ a, s }) => createService(aws, net, s, s.spec.desiredCount ?? a.spec.minTasks)),
    );
  }
}

/** Registers each target with its policies and scheduled actions exactly as the manifest states them, by hand. */
export async function buildServiceAutoscaling(aws: Aws, net: Network, manifests: Manifest[]): Promise<void> {
  await ensureServices(aws, net, manifests);
  await Promise.all(
    autoscalings(manifests).map(async (a) => {
      const on = {
        ServiceNamespace: 'ecs' as const,
        ResourceId: `service/${serviceOf(manifests, a).spec.cluster}/${a.spec.service}`,
        ScalableDimension: DIMENSION,
      };
      await aws.autoscaling.send(new RegisterScalableTargetCommand({ ...on, MinCapacity: a.spec.minTasks, MaxCapacity: a.spec.maxTasks }));
      for (const slot of ['cpu', 'memory'] as const) {
        const p = a.spec[slot];
        if (!p) continue;
        await aws.autoscaling.send(
          new PutScalingPolicyCommand({
            ...on,
            PolicyName: `${a.metadata.name}-${slot}`,
            PolicyType: 'TargetTrackingScaling',
            TargetTrackingScalingPolicyConfiguration: {
              TargetValue: p.targetValue,
              PredefinedMetricSpecification: { PredefinedMetricType: METRIC[slot] },
              ScaleInCooldown: p.scaleInCooldown,
              ScaleOutCooldown: p.scaleOutCooldown,
              DisableScaleIn: p.disableScaleIn,
            },
          }),
        );
      }
      for (const action of a.spec.scheduledActions ?? []) {
        await aws.autoscaling.send(
          new PutScheduledActionCommand({
            ...on,
            ScheduledActionName: `${a.metadata.name}-${action.name}`,
            Schedule: action.schedule,
            Timezone: action.timezone,
            ScalableTargetAction: { MinCapacity: action.minTasks, MaxCapacity: action.maxTasks },
          }),
        );
      }
    }),
  );
}
