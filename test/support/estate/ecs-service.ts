import { CreateServiceCommand, RegisterTaskDefinitionCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { Aws } from '../../../src/aws/clients.js';
import type { EcsService, Manifest, ServiceAutoscaling } from '../../../src/schema/index.js';
import { asLowerKeyValue, ownershipTags } from '../../../src/engine/tags.js';
import type { Network } from '../../../src/demo/network.js';

export interface EcsEstate {
  /** metadata.name -> service ARN. */
  services: Record<string, string>;
  /** metadata.name -> task definition revision ARN. */
  taskDefinitions: Record<string, string>;
}

/** A field as a person registering by hand would write it: left out where it equals what ECS assumes anyway. */
const unlessDefault = <T>(value: T | undefined, ecsDefault: T) => (value === ecsDefault ? undefined : value);

/**
 * Creates, through the SDK and without Ballast, the ECS services and task definitions the manifests describe,
 * tagged as owned by `controllerId`: an estate that already matches, for observe/diff tests.
 */
export async function buildEcsServices(aws: Aws, net: Network, manifests: Manifest[], controllerId: string): Promise<EcsEstate> {
  const account = (await aws.sts.send(new GetCallerIdentityCommand({}))).Account!;
  const region = await aws.region();
  const role = (name: string | undefined) => (name === undefined || name.startsWith('arn:') ? name : `arn:aws:iam::${account}:role/${name}`);
  const estate: EcsEstate = { services: {}, taskDefinitions: {} };
  for (const m of manifests.filter((x): x is EcsService => x.kind === 'EcsService')) {
    const spec = m.spec;
    const td = await aws.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: m.metadata.name,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: String(spec.cpu),
        memory: String(spec.memory),
        executionRoleArn: role(spec.executionRole),
        taskRoleArn: role(spec.taskRole),
        containerDefinitions: spec.containers.map((c): ContainerDefinition => ({
          name: c.name,
          image: c.image,
          essential: unlessDefault(c.essential, true),
          cpu: c.cpu,
          memory: c.memory,
          portMappings: c.ports?.map((p) => ({ containerPort: p.containerPort, protocol: unlessDefault(p.protocol, 'tcp') })),
          environment: Object.entries(c.environment ?? {}).map(([name, value]) => ({ name, value })),
          secrets: Object.entries(c.secrets ?? {}).map(([name, valueFrom]) => ({ name, valueFrom })),
          logConfiguration: c.logging && {
            logDriver: 'awslogs',
            options: { 'awslogs-group': c.logging.group, 'awslogs-stream-prefix': c.logging.streamPrefix, 'awslogs-region': c.logging.region ?? region },
          },
          healthCheck: c.healthCheck && {
            command: c.healthCheck.command,
            interval: unlessDefault(c.healthCheck.interval, 30),
            timeout: unlessDefault(c.healthCheck.timeout, 5),
            retries: unlessDefault(c.healthCheck.retries, 3),
            startPeriod: unlessDefault(c.healthCheck.startPeriod, 0),
          },
        })),
      }),
    );
    const autoscaler = manifests.find((x): x is ServiceAutoscaling => x.kind === 'ServiceAutoscaling' && x.spec.service === m.metadata.name);
    const deploymentConfiguration = spec.deployment && {
      minimumHealthyPercent: spec.deployment.minimumHealthyPercent,
      maximumPercent: spec.deployment.maximumPercent,
      deploymentCircuitBreaker: spec.deployment.circuitBreaker,
    };
    const lb = spec.loadBalancer;
    const created = await aws.ecs.send(
      new CreateServiceCommand({
        cluster: spec.cluster,
        serviceName: m.metadata.name,
        taskDefinition: m.metadata.name,
        desiredCount: spec.desiredCount ?? autoscaler?.spec.minTasks ?? 1,
        launchType: 'FARGATE',
        platformVersion: spec.platformVersion,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: spec.network.subnets.map((s) => net.subnets[s] ?? s),
            securityGroups: spec.network.securityGroups.map((g) => net.securityGroups[g] ?? g),
            assignPublicIp: spec.network.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        loadBalancers: lb && [{ targetGroupArn: net.targetGroups[lb.targetGroup] ?? lb.targetGroup, containerName: lb.containerName, containerPort: lb.containerPort }],
        deploymentConfiguration,
        healthCheckGracePeriodSeconds: spec.healthCheckGracePeriodSeconds,
        enableExecuteCommand: spec.enableExecuteCommand,
        tags: asLowerKeyValue(ownershipTags(controllerId, m)),
        propagateTags: 'SERVICE',
      }),
    );
    estate.services[m.metadata.name] = created.service!.serviceArn!;
    estate.taskDefinitions[m.metadata.name] = td.taskDefinition!.taskDefinitionArn!;
  }
  return estate;
}
