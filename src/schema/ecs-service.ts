import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict, Name, NetworkRef, networkRef, SecretRef } from './common.js';

const RoleRef = Type.String({
  pattern: '^(arn:aws[a-z-]*:iam::[0-9]{12}:role/.+|[A-Za-z0-9+=,.@_/-]{1,64})$',
  description: "IAM role name (in the controller's account) or ARN.",
});

const Port = Type.Object(
  {
    containerPort: Type.Integer({ minimum: 1, maximum: 65535, description: 'Port the container listens on.' }),
    protocol: Type.Optional(Type.Union([Type.Literal('tcp'), Type.Literal('udp')], { default: 'tcp', description: 'tcp or udp.' })),
  },
  strict,
);

const Logging = Type.Object(
  {
    driver: Type.Optional(Type.Literal('awslogs', { default: 'awslogs', description: 'Log driver; only awslogs (CloudWatch Logs).' })),
    group: Type.String({ minLength: 1, maxLength: 512, description: 'CloudWatch Logs group.' }),
    streamPrefix: Type.String({ minLength: 1, description: 'Log stream prefix: streams are named <prefix>/<container>/<task id>.' }),
    region: Type.Optional(Type.String({ description: 'Defaults to the region Ballast runs in.' })),
  },
  { ...strict, description: 'Container logs to CloudWatch Logs.' },
);

const HealthCheck = Type.Object(
  {
    command: Type.Array(Type.String(), { minItems: 1, description: 'e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]' }),
    interval: Type.Optional(Type.Integer({ minimum: 5, maximum: 300, default: 30, description: 'Seconds between checks.' })),
    timeout: Type.Optional(Type.Integer({ minimum: 2, maximum: 60, default: 5, description: 'Seconds a check may take.' })),
    retries: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 3, description: 'Failed checks before the container is unhealthy.' })),
    startPeriod: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 300, default: 0, description: 'Seconds after start during which failures do not count.' }),
    ),
  },
  { ...strict, description: 'Container health check, run by ECS inside the container.' },
);

const MountPoint = Type.Object(
  {
    sourceVolume: Type.String({ minLength: 1, description: 'A volume of spec.volumes.' }),
    containerPath: Type.String({ pattern: '^/', description: 'Where the volume appears in the container.' }),
    readOnly: Type.Optional(Type.Boolean({ description: 'Mount read-only (false when left out).' })),
  },
  strict,
);

const ULIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'] as const;

const Ulimit = Type.Object(
  {
    name: Type.Union(ULIMIT_NAMES.map((n) => Type.Literal(n)), { description: 'The resource limited, e.g. nofile.' }),
    softLimit: Type.Integer({ minimum: 0, description: 'The limit the container starts with.' }),
    hardLimit: Type.Integer({ minimum: 0, description: 'The ceiling the container may raise the soft limit to.' }),
  },
  strict,
);

const DependsOn = Type.Object(
  {
    containerName: Type.String({ minLength: 1, description: 'Another container of this task.' }),
    condition: Type.Union([Type.Literal('START'), Type.Literal('COMPLETE'), Type.Literal('SUCCESS'), Type.Literal('HEALTHY')], {
      description: 'START, COMPLETE, SUCCESS or HEALTHY (that container needs a healthCheck).',
    }),
  },
  strict,
);

const Container = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,255}$', description: 'Container name: letters, digits, hyphens and underscores.' }),
    image: Type.String({ minLength: 1, maxLength: 1024, description: 'Image reference, e.g. public.ecr.aws/shop/storefront:1.42.0.' }),
    essential: Type.Optional(Type.Boolean({ default: true, description: 'When this container stops, the task stops.' })),
    cpu: Type.Optional(Type.Integer({ minimum: 0, description: 'CPU units reserved for this container.' })),
    memory: Type.Optional(Type.Integer({ minimum: 6, description: 'Hard memory limit in MiB.' })),
    ports: Type.Optional(Type.Array(Port, { description: 'Ports the container exposes (awsvpc: the host port is the same).' })),
    environment: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
        additionalProperties: false,
        description: 'Plain configuration only: secret-looking names must go under `secrets`.',
      }),
    ),
    secrets: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), SecretRef, {
        additionalProperties: false,
        description: 'Environment variables whose values ECS reads from Secrets Manager or SSM when the task starts.',
      }),
    ),
    logging: Type.Optional(Logging),
    healthCheck: Type.Optional(HealthCheck),
    readonlyRootFilesystem: Type.Optional(Type.Boolean({ description: 'Mount the root file system read-only; write to mountPoints instead.' })),
    mountPoints: Type.Optional(Type.Array(MountPoint, { description: 'Volumes of spec.volumes mounted into this container.' })),
    initProcessEnabled: Type.Optional(Type.Boolean({ description: 'Run an init process as PID 1 that forwards signals and reaps zombies.' })),
    stopTimeout: Type.Optional(Type.Integer({ minimum: 2, maximum: 120, description: 'Seconds between SIGTERM and SIGKILL when the task stops.' })),
    user: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'User (name, uid, uid:gid) the container runs as.' })),
    ulimits: Type.Optional(Type.Array(Ulimit, { description: 'Resource limits of the container.' })),
    dependsOn: Type.Optional(Type.Array(DependsOn, { description: 'Containers that must reach a condition before this one starts.' })),
  },
  strict,
);

export const EcsServiceSpec = Type.Object(
  {
    cluster: Type.String({ minLength: 1, maxLength: 255, description: 'ECS cluster name.' }),
    cpu: Type.Integer({ description: 'Fargate task CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384.' }),
    memory: Type.Integer({ description: 'Fargate task memory in MiB; must be valid for the cpu.' }),
    executionRole: Type.Optional(RoleRef),
    taskRole: Type.Optional(RoleRef),
    containers: Type.Array(Container, { minItems: 1, maxItems: 10, description: 'The containers of the task definition (family = metadata.name).' }),
    volumes: Type.Optional(
      Type.Array(Type.Object({ name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,255}$', description: 'Volume name, for mountPoints.' }) }, strict), {
        description: "Bind-mount volumes on the task's ephemeral storage (Fargate), shared by the containers that mount them.",
      }),
    ),
    network: Type.Object(
      {
        subnets: Type.Array(NetworkRef, {
          minItems: 2,
          uniqueItems: true,
          description: 'At least two, in different AZs: subnet ids, or Name tags looked up in the account.',
        }),
        securityGroups: Type.Array(NetworkRef, {
          minItems: 1,
          maxItems: 5,
          uniqueItems: true,
          description: 'Security group ids, or Name tags looked up in the account.',
        }),
        assignPublicIp: Type.Optional(Type.Boolean({ default: false, description: 'Give each task a public IP.' })),
      },
      { ...strict, description: 'awsvpc networking of the tasks.' },
    ),
    loadBalancer: Type.Optional(
      Type.Object(
        {
          targetGroup: networkRef('Target group (type ip) name or ARN.'),
          containerName: Type.String({ minLength: 1, description: 'The container that receives the traffic.' }),
          containerPort: Type.Integer({ minimum: 1, maximum: 65535, description: 'One of that container\'s ports.' }),
        },
        { ...strict, description: 'Registers the tasks with a load balancer target group.' },
      ),
    ),
    desiredCount: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Omit when a ServiceAutoscaling owns the count; then only the first create sets it.' }),
    ),
    deployment: Type.Optional(
      Type.Object(
        {
          minimumHealthyPercent: Type.Optional(
            Type.Integer({ minimum: 0, maximum: 100, default: 100, description: 'Running tasks kept during a deployment, in percent of the count.' }),
          ),
          maximumPercent: Type.Optional(
            Type.Integer({ minimum: 100, maximum: 200, default: 200, description: 'Tasks allowed during a deployment, in percent of the count.' }),
          ),
          circuitBreaker: Type.Optional(
            Type.Object(
              {
                enable: Type.Boolean({ default: true, description: 'Stop a deployment whose tasks keep failing.' }),
                rollback: Type.Boolean({ default: true, description: 'Then roll back to the last working deployment.' }),
              },
              { ...strict, description: 'ECS deployment circuit breaker.' },
            ),
          ),
        },
        { ...strict, description: 'Rolling deployment settings.' },
      ),
    ),
    healthCheckGracePeriodSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 2147483647, description: 'Seconds to ignore load balancer health checks after a task starts.' }),
    ),
    platformVersion: Type.Optional(
      Type.String({ pattern: '^(LATEST|[0-9]+\\.[0-9]+\\.[0-9]+)$', default: 'LATEST', description: 'Fargate platform version: LATEST or e.g. 1.4.0.' }),
    ),
    enableExecuteCommand: Type.Optional(Type.Boolean({ default: false, description: 'Allow `aws ecs execute-command` into the tasks.' })),
  },
  { ...strict, description: 'What the service and its task definition should look like.' },
);

export const EcsService = manifest(
  'EcsService',
  EcsServiceSpec,
  'An ECS service on Fargate and the task definition it runs.',
);
export type EcsService = Static<typeof EcsService>;
export { Name };
