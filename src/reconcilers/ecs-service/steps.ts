import { createHash } from 'node:crypto';
import type {
  ContainerDefinition,
  CreateServiceCommandInput,
  DeleteServiceCommandInput,
  DeploymentConfiguration,
  LoadBalancer,
  NetworkConfiguration,
  RegisterTaskDefinitionCommandInput,
  TagResourceCommandInput,
  UntagResourceCommandInput,
  UpdateServiceCommandInput,
} from '@aws-sdk/client-ecs';
import type { EcsService } from '../../schema/index.js';
import type { AwsCall, Context, FieldChange, Refs, Step } from '../../engine/types.js';
import { asLowerKeyValue, ownershipSubset, ownershipTags } from '../../engine/tags.js';
import { arnName } from '../../diff/compare.js';
import { clusterOfServiceArn, ECS_DEFAULTS, type LiveEcsService } from './live.js';
import { autoscalerOf, logRegion, networkIds, roleArn, targetGroupArn } from './desired.js';
import { droppedByNewRevision } from './revision.js';

type Spec = EcsService['spec'];
type Container = Spec['containers'][number];

interface EcsInputs {
  RegisterTaskDefinition: RegisterTaskDefinitionCommandInput;
  CreateService: CreateServiceCommandInput;
  UpdateService: UpdateServiceCommandInput;
  DeleteService: DeleteServiceCommandInput;
  TagResource: TagResourceCommandInput;
  UntagResource: UntagResourceCommandInput;
}

/** A call typed against the SDK's own input shape, so a misspelt field fails to compile. */
function ecs<O extends keyof EcsInputs>(operation: O, input: EcsInputs[O]): AwsCall {
  return { service: 'ecs', operation, input: { ...input } };
}

/** Changes under these paths need a new task definition revision; everything else is a service field. */
const TASK_FIELDS = ['taskDefinition', 'spec.cpu', 'spec.memory', 'spec.executionRole', 'spec.taskRole', 'spec.containers', 'spec.volumes'];

/** Service fields UpdateService can change in place, by the manifest path that triggers each. */
const SERVICE_FIELDS: [string, (spec: Spec, live: LiveEcsService, refs: Refs) => Partial<UpdateServiceCommandInput>][] = [
  ['spec.network', (spec, _live, refs) => ({ networkConfiguration: networkConfiguration(spec, refs) })],
  // UpdateService takes loadBalancers for services on the ECS deployment controller, so no replacement is needed.
  ['spec.loadBalancer', (spec, _live, refs) => ({ loadBalancers: loadBalancers(spec, refs) ?? [] })],
  ['spec.desiredCount', (spec) => ({ desiredCount: spec.desiredCount })],
  ['spec.deployment', (spec, live) => ({ deploymentConfiguration: deploymentConfiguration(spec, live.deployment) })],
  ['spec.healthCheckGracePeriodSeconds', (spec) => ({ healthCheckGracePeriodSeconds: spec.healthCheckGracePeriodSeconds })],
  ['spec.platformVersion', (spec) => ({ platformVersion: spec.platformVersion })],
  ['spec.enableExecuteCommand', (spec) => ({ enableExecuteCommand: spec.enableExecuteCommand })],
];

const under = (prefix: string) => (c: FieldChange) => c.path === prefix || c.path.startsWith(`${prefix}.`) || c.path.startsWith(`${prefix}[`);

export function steps(desired: EcsService, live: LiveEcsService | undefined, changes: FieldChange[], ctx: Context): Step[] {
  const actionable = changes.filter((c) => !c.pending);
  if (!live) return [createStep(desired, ctx)];
  if (actionable.some(under('spec.cluster'))) {
    // The new service takes traffic before the old one goes.
    const [remove] = deleteSteps(desired.metadata.name, live.arn);
    return [
      { ...createStep(desired, ctx), part: 'create', waitForHealth: true },
      { ...remove!, part: 'delete-old', after: ['create'], summary: `delete the old service in cluster ${live.cluster}` },
    ];
  }
  const step = updateStep(desired, live, actionable, ctx);
  return step.calls.length > 0 ? [step] : [];
}

function createStep(desired: EcsService, ctx: Context): Step {
  const spec = desired.spec;
  const name = desired.metadata.name;
  const service: CreateServiceCommandInput = {
    cluster: spec.cluster,
    serviceName: name,
    // The family name picks the latest ACTIVE revision: the one registered just before.
    taskDefinition: name,
    desiredCount: spec.desiredCount ?? autoscalerOf(desired, ctx)?.spec.minTasks ?? 1,
    launchType: 'FARGATE',
    platformVersion: spec.platformVersion,
    networkConfiguration: networkConfiguration(spec, ctx.refs),
    loadBalancers: loadBalancers(spec, ctx.refs),
    deploymentConfiguration: deploymentConfiguration(spec, undefined),
    healthCheckGracePeriodSeconds: spec.healthCheckGracePeriodSeconds,
    enableExecuteCommand: spec.enableExecuteCommand,
    tags: asLowerKeyValue(ownershipTags(ctx.controllerId, desired)),
    propagateTags: 'SERVICE',
  };
  return {
    op: 'create',
    summary: `register task definition ${name} and create service ${spec.cluster}/${name}`,
    calls: [registerTaskDefinition(desired, ctx), ecs('CreateService', { ...service, clientToken: clientToken(service) })],
  };
}

/**
 * Same request, same token (at most 36 characters): a retried create returns the service the first attempt made.
 * The token covers the whole request, so a changed manifest is a new request rather than a conflicting retry.
 */
function clientToken(input: CreateServiceCommandInput): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 32);
}

function updateStep(desired: EcsService, live: LiveEcsService, changes: FieldChange[], ctx: Context): Step {
  const spec = desired.spec;
  const name = desired.metadata.name;
  const touched = (prefix: string) => changes.some(under(prefix));
  const newRevision = TASK_FIELDS.some(touched);
  const fields: Partial<UpdateServiceCommandInput> = Object.assign(
    newRevision ? { taskDefinition: name } : {},
    ...SERVICE_FIELDS.filter(([prefix]) => touched(prefix)).map(([, field]) => field(spec, live, ctx.refs)),
  );
  const calls: AwsCall[] = [];
  if (newRevision) calls.push(registerTaskDefinition(desired, ctx));
  if (Object.keys(fields).length > 0) {
    calls.push(ecs('UpdateService', { cluster: spec.cluster, service: name, ...fields, forceNewDeployment: false }));
  }
  if (touched('tags')) calls.push(...tagCalls(live, ownershipTags(ctx.controllerId, desired)));
  const what: string[] = [];
  if (newRevision) {
    const dropped = droppedByNewRevision(desired, live);
    what.push(`register task definition revision${dropped.length > 0 ? ` (drops what the manifest leaves out: ${dropped.join(', ')})` : ''}`);
  }
  if (Object.keys(fields).length > 0) what.push(`update service (${Object.keys(fields).join(', ')})`);
  if (touched('tags')) what.push('retag');
  return { op: 'update', summary: what.join(', '), calls };
}

/** Sets the ownership tags that differ and removes the ones the manifest no longer implies (the destructive opt-in). */
function tagCalls(live: LiveEcsService, wanted: Record<string, string>): AwsCall[] {
  const have = ownershipSubset(live.tags);
  const set = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => have[k] !== v));
  const drop = Object.keys(have).filter((k) => !(k in wanted));
  const calls: AwsCall[] = [];
  if (Object.keys(set).length > 0) calls.push(ecs('TagResource', { resourceArn: live.arn, tags: asLowerKeyValue(set) }));
  if (drop.length > 0) calls.push(ecs('UntagResource', { resourceArn: live.arn, tagKeys: drop }));
  return calls;
}

function registerTaskDefinition(desired: EcsService, ctx: Context): AwsCall {
  const spec = desired.spec;
  return ecs('RegisterTaskDefinition', {
    family: desired.metadata.name,
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: String(spec.cpu),
    memory: String(spec.memory),
    executionRoleArn: roleArn(ctx.refs, spec.executionRole),
    taskRoleArn: roleArn(ctx.refs, spec.taskRole),
    containerDefinitions: spec.containers.map((c) => containerDefinition(c, ctx.refs)),
    volumes: spec.volumes?.map((v) => ({ name: v.name })),
    tags: asLowerKeyValue(ownershipTags(ctx.controllerId, desired)),
  });
}

function containerDefinition(c: Container, refs: Refs): ContainerDefinition {
  return {
    name: c.name,
    image: c.image,
    essential: c.essential ?? ECS_DEFAULTS.essential,
    cpu: c.cpu,
    memory: c.memory,
    portMappings: c.ports?.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol ?? ECS_DEFAULTS.protocol })),
    environment: c.environment && Object.entries(c.environment).map(([name, value]) => ({ name, value })),
    secrets: c.secrets && Object.entries(c.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
    logConfiguration: c.logging && {
      logDriver: 'awslogs',
      options: { 'awslogs-group': c.logging.group, 'awslogs-stream-prefix': c.logging.streamPrefix, 'awslogs-region': logRegion(c, refs) },
    },
    healthCheck: c.healthCheck,
    readonlyRootFilesystem: c.readonlyRootFilesystem,
    mountPoints: c.mountPoints,
    linuxParameters: c.initProcessEnabled === undefined ? undefined : { initProcessEnabled: c.initProcessEnabled },
    stopTimeout: c.stopTimeout,
    user: c.user,
    ulimits: c.ulimits,
    dependsOn: c.dependsOn,
  };
}

function networkConfiguration(spec: Spec, refs: Refs): NetworkConfiguration {
  return { awsvpcConfiguration: { ...networkIds(spec, refs), assignPublicIp: spec.network.assignPublicIp ? 'ENABLED' : 'DISABLED' } };
}

function loadBalancers(spec: Spec, refs: Refs): LoadBalancer[] | undefined {
  const lb = spec.loadBalancer;
  return lb && [{ targetGroupArn: targetGroupArn(spec, refs), containerName: lb.containerName, containerPort: lb.containerPort }];
}

/** Unstated parts keep their live values, so stating only the percentages does not switch the circuit breaker off. */
function deploymentConfiguration(spec: Spec, live: LiveEcsService['deployment'] | undefined): DeploymentConfiguration | undefined {
  const d = spec.deployment;
  if (!d) return undefined;
  const breaker = d.circuitBreaker ?? live?.circuitBreaker;
  return {
    minimumHealthyPercent: d.minimumHealthyPercent ?? live?.minimumHealthyPercent,
    maximumPercent: d.maximumPercent ?? live?.maximumPercent,
    deploymentCircuitBreaker: breaker && { enable: breaker.enable, rollback: breaker.rollback },
  };
}

/** For prune and a cluster move: force deletes a service that still runs tasks, so no scale-to-zero is needed first. */
export function deleteSteps(name: string, arn: string): Step[] {
  const cluster = clusterOfServiceArn(arn);
  return [{ op: 'delete', summary: `delete service ${cluster}/${name}`, calls: [ecs('DeleteService', { cluster, service: name, force: true })] }];
}

export const nameOf = (arn: string) => arnName(arn);

export function adoptCalls(desired: EcsService, live: LiveEcsService, ctx: Context): AwsCall[] {
  return [ecs('TagResource', { resourceArn: live.arn, tags: asLowerKeyValue(ownershipTags(ctx.controllerId, desired)) })];
}
