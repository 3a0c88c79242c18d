import type { ContainerDefinition, Service, TaskDefinition } from '@aws-sdk/client-ecs';
import { arnName } from '../../diff/compare.js';

/** What ECS assumes when a field is absent (and what the schema defaults to), so an absent field is not drift. */
export const ECS_DEFAULTS = {
  protocol: 'tcp',
  essential: true,
  healthCheck: { interval: 30, timeout: 5, retries: 3, startPeriod: 0 },
  deployment: { minimumHealthyPercent: 100, maximumPercent: 200, circuitBreaker: { enable: false, rollback: false } },
  healthCheckGracePeriodSeconds: 0,
  enableExecuteCommand: false,
} as const;

export interface LivePort {
  containerPort: number;
  protocol: string;
}

export interface LiveContainer {
  name: string;
  image: string;
  essential: boolean;
  cpu: number | undefined;
  memory: number | undefined;
  ports: LivePort[];
  environment: Record<string, string>;
  /** Name -> valueFrom (an ARN or SSM parameter name, never a value). */
  secrets: Record<string, string>;
  logging: { driver: string | undefined; group: string | undefined; streamPrefix: string | undefined; region: string | undefined } | undefined;
  healthCheck: { command: string[]; interval: number; timeout: number; retries: number; startPeriod: number } | undefined;
  readonlyRootFilesystem: boolean;
  mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  initProcessEnabled: boolean;
  stopTimeout: number | undefined;
  user: string | undefined;
  ulimits: { name: string; softLimit: number; hardLimit: number }[];
  dependsOn: { containerName: string; condition: string }[];
}

/** An ECS service and the task definition revision it runs, in the manifest's shape (ids and ARNs resolved). */
export interface LiveEcsService {
  arn: string;
  cluster: string;
  /** ARN of the revision the service runs. */
  taskDefinition: string;
  cpu: number | undefined;
  memory: number | undefined;
  executionRole: string | undefined;
  taskRole: string | undefined;
  containers: LiveContainer[];
  /** Names of the task's bind-mount volumes. */
  volumes: string[];
  /** Settings of the live revision no manifest field expresses (e.g. `containers[app].command`): a new revision drops them. */
  unexpressed: string[];
  network: { subnets: string[]; securityGroups: string[]; assignPublicIp: boolean };
  loadBalancer: { targetGroup: string | undefined; containerName: string | undefined; containerPort: number | undefined } | undefined;
  desiredCount: number;
  deployment: { minimumHealthyPercent: number; maximumPercent: number; circuitBreaker: { enable: boolean; rollback: boolean } };
  healthCheckGracePeriodSeconds: number;
  platformVersion: string | undefined;
  enableExecuteCommand: boolean;
  tags: Record<string, string>;
}

/** "arn:…:task-definition/web:3" -> "web". */
export function familyOf(taskDefinition: string): string {
  return arnName(taskDefinition).split(':')[0] ?? '';
}

/** "arn:…:service/shop/web" -> "shop"; the old short format (service/web) lives in the default cluster. */
export function clusterOfServiceArn(arn: string): string {
  const parts = arn.split(':').pop()?.split('/') ?? [];
  return parts.length === 3 ? (parts[1] ?? 'default') : 'default';
}

const toNumber = (value: string | undefined) => (value === undefined ? undefined : Number(value));

export function toLive(service: Service, task: TaskDefinition): LiveEcsService {
  const vpc = service.networkConfiguration?.awsvpcConfiguration;
  const lb = service.loadBalancers?.[0];
  const deployment = service.deploymentConfiguration;
  return {
    arn: service.serviceArn ?? '',
    cluster: arnName(service.clusterArn ?? ''),
    taskDefinition: task.taskDefinitionArn ?? service.taskDefinition ?? '',
    cpu: toNumber(task.cpu),
    memory: toNumber(task.memory),
    executionRole: task.executionRoleArn,
    taskRole: task.taskRoleArn,
    containers: (task.containerDefinitions ?? []).map(toLiveContainer),
    volumes: (task.volumes ?? []).map((v) => v.name ?? ''),
    unexpressed: unexpressed(task),
    network: {
      subnets: vpc?.subnets ?? [],
      securityGroups: vpc?.securityGroups ?? [],
      assignPublicIp: vpc?.assignPublicIp === 'ENABLED',
    },
    loadBalancer: lb && { targetGroup: lb.targetGroupArn, containerName: lb.containerName, containerPort: lb.containerPort },
    desiredCount: service.desiredCount ?? 0,
    deployment: {
      minimumHealthyPercent: deployment?.minimumHealthyPercent ?? ECS_DEFAULTS.deployment.minimumHealthyPercent,
      maximumPercent: deployment?.maximumPercent ?? ECS_DEFAULTS.deployment.maximumPercent,
      circuitBreaker: {
        enable: deployment?.deploymentCircuitBreaker?.enable ?? ECS_DEFAULTS.deployment.circuitBreaker.enable,
        rollback: deployment?.deploymentCircuitBreaker?.rollback ?? ECS_DEFAULTS.deployment.circuitBreaker.rollback,
      },
    },
    healthCheckGracePeriodSeconds: service.healthCheckGracePeriodSeconds ?? ECS_DEFAULTS.healthCheckGracePeriodSeconds,
    platformVersion: service.platformVersion,
    enableExecuteCommand: service.enableExecuteCommand ?? ECS_DEFAULTS.enableExecuteCommand,
    tags: Object.fromEntries((service.tags ?? []).map((t) => [t.key ?? '', t.value ?? ''])),
  };
}

/** Task and container settings Ballast writes or reads; anything else set on a live revision is reported as unexpressed. */
const TASK_KEYS = new Set(['family', 'taskRoleArn', 'executionRoleArn', 'networkMode', 'containerDefinitions', 'volumes', 'requiresCompatibilities', 'cpu', 'memory']);
const CONTAINER_KEYS = new Set([
  'name', 'image', 'essential', 'cpu', 'memory', 'portMappings', 'environment', 'secrets', 'logConfiguration', 'healthCheck',
  'readonlyRootFilesystem', 'mountPoints', 'linuxParameters', 'stopTimeout', 'user', 'ulimits', 'dependsOn',
]);
/** What DescribeTaskDefinition adds about a revision (its identity, status, history), not settings of the task. */
const DESCRIPTIVE = new Set([
  'taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy', 'deregisteredAt',
  'placementConstraints', 'deleteRequestedAt',
]);
const isSet = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0);

function unexpressed(task: TaskDefinition): string[] {
  const out = Object.entries(task)
    .filter(([k, v]) => !TASK_KEYS.has(k) && !DESCRIPTIVE.has(k) && isSet(v))
    .map(([k]) => k);
  for (const c of task.containerDefinitions ?? []) {
    for (const [k, v] of Object.entries(c)) if (!CONTAINER_KEYS.has(k) && isSet(v)) out.push(`containers[${c.name}].${k}`);
    for (const [k, v] of Object.entries(c.linuxParameters ?? {})) if (k !== 'initProcessEnabled' && isSet(v)) out.push(`containers[${c.name}].linuxParameters.${k}`);
    for (const p of c.portMappings ?? []) if (p.name) out.push(`containers[${c.name}].ports[${p.containerPort}].name`);
  }
  return out;
}

function toLiveContainer(c: ContainerDefinition): LiveContainer {
  const log = c.logConfiguration;
  const hc = c.healthCheck;
  const defaults = ECS_DEFAULTS.healthCheck;
  return {
    name: c.name ?? '',
    image: c.image ?? '',
    essential: c.essential ?? ECS_DEFAULTS.essential,
    cpu: c.cpu,
    memory: c.memory,
    ports: (c.portMappings ?? []).map((p) => ({ containerPort: p.containerPort ?? 0, protocol: p.protocol ?? ECS_DEFAULTS.protocol })),
    environment: Object.fromEntries((c.environment ?? []).map((e) => [e.name ?? '', e.value ?? ''])),
    secrets: Object.fromEntries((c.secrets ?? []).map((s) => [s.name ?? '', s.valueFrom ?? ''])),
    logging: log && {
      driver: log.logDriver,
      group: log.options?.['awslogs-group'],
      streamPrefix: log.options?.['awslogs-stream-prefix'],
      region: log.options?.['awslogs-region'],
    },
    healthCheck: hc && {
      command: hc.command ?? [],
      interval: hc.interval ?? defaults.interval,
      timeout: hc.timeout ?? defaults.timeout,
      retries: hc.retries ?? defaults.retries,
      startPeriod: hc.startPeriod ?? defaults.startPeriod,
    },
    readonlyRootFilesystem: c.readonlyRootFilesystem ?? false,
    mountPoints: (c.mountPoints ?? []).map((m) => ({ sourceVolume: m.sourceVolume ?? '', containerPath: m.containerPath ?? '', readOnly: m.readOnly ?? false })),
    initProcessEnabled: c.linuxParameters?.initProcessEnabled ?? false,
    stopTimeout: c.stopTimeout,
    user: c.user,
    ulimits: (c.ulimits ?? []).map((u) => ({ name: u.name ?? '', softLimit: u.softLimit ?? 0, hardLimit: u.hardLimit ?? 0 })),
    dependsOn: (c.dependsOn ?? []).map((d) => ({ containerName: d.containerName ?? '', condition: d.condition ?? '' })),
  };
}
