import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict, Name, NetworkRef, SecretRef } from './common.js';

const RoleRef = Type.String({
  pattern: '^(arn:aws[a-z-]*:iam::[0-9]{12}:role/.+|[A-Za-z0-9+=,.@_/-]{1,64})$',
  description: "IAM role name (in the controller's account) or ARN.",
});

const Port = Type.Object(
  {
    containerPort: Type.Integer({ minimum: 1, maximum: 65535 }),
    protocol: Type.Optional(Type.Union([Type.Literal('tcp'), Type.Literal('udp')], { default: 'tcp' })),
  },
  strict,
);

const Logging = Type.Object(
  {
    driver: Type.Optional(Type.Literal('awslogs', { default: 'awslogs' })),
    group: Type.String({ minLength: 1, maxLength: 512, description: 'CloudWatch Logs group.' }),
    streamPrefix: Type.String({ minLength: 1 }),
    region: Type.Optional(Type.String({ description: 'Defaults to the region Ballast runs in.' })),
  },
  strict,
);

const HealthCheck = Type.Object(
  {
    command: Type.Array(Type.String(), { minItems: 1, description: 'e.g. ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"]' }),
    interval: Type.Optional(Type.Integer({ minimum: 5, maximum: 300, default: 30 })),
    timeout: Type.Optional(Type.Integer({ minimum: 2, maximum: 60, default: 5 })),
    retries: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 3 })),
    startPeriod: Type.Optional(Type.Integer({ minimum: 0, maximum: 300, default: 0 })),
  },
  strict,
);

const Container = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,255}$' }),
    image: Type.String({ minLength: 1, maxLength: 1024 }),
    essential: Type.Optional(Type.Boolean({ default: true })),
    cpu: Type.Optional(Type.Integer({ minimum: 0, description: 'CPU units reserved for this container.' })),
    memory: Type.Optional(Type.Integer({ minimum: 6, description: 'Hard memory limit in MiB.' })),
    ports: Type.Optional(Type.Array(Port)),
    environment: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
        description: 'Plain configuration only: secret-looking names must go under `secrets`.',
      }),
    ),
    secrets: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), SecretRef)),
    logging: Type.Optional(Logging),
    healthCheck: Type.Optional(HealthCheck),
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
    containers: Type.Array(Container, { minItems: 1, maxItems: 10 }),
    network: Type.Object(
      {
        subnets: Type.Array(NetworkRef, { minItems: 2, uniqueItems: true, description: 'At least two, in different AZs.' }),
        securityGroups: Type.Array(NetworkRef, { minItems: 1, maxItems: 5, uniqueItems: true }),
        assignPublicIp: Type.Optional(Type.Boolean({ default: false })),
      },
      strict,
    ),
    loadBalancer: Type.Optional(
      Type.Object(
        {
          targetGroup: NetworkRef,
          containerName: Type.String({ minLength: 1 }),
          containerPort: Type.Integer({ minimum: 1, maximum: 65535 }),
        },
        strict,
      ),
    ),
    desiredCount: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Omit when a ServiceAutoscaling owns the count; then only the first create sets it.' }),
    ),
    deployment: Type.Optional(
      Type.Object(
        {
          minimumHealthyPercent: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 100 })),
          maximumPercent: Type.Optional(Type.Integer({ minimum: 100, maximum: 200, default: 200 })),
          circuitBreaker: Type.Optional(
            Type.Object({ enable: Type.Boolean({ default: true }), rollback: Type.Boolean({ default: true }) }, strict),
          ),
        },
        strict,
      ),
    ),
    healthCheckGracePeriodSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
    platformVersion: Type.Optional(Type.String({ pattern: '^(LATEST|[0-9]+\\.[0-9]+\\.[0-9]+)$', default: 'LATEST' })),
    enableExecuteCommand: Type.Optional(Type.Boolean({ default: false })),
  },
  strict,
);

export const EcsService = manifest(
  'EcsService',
  EcsServiceSpec,
  'An ECS service on Fargate and the task definition it runs.',
);
export type EcsService = Static<typeof EcsService>;
export { Name };
