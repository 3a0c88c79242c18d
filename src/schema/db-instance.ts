import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict, NetworkRef, DayTimeWindow, TimeWindow } from './common.js';

const ReplicaTarget = Type.Object(
  {
    metric: Type.Union([Type.Literal('CPUUtilization'), Type.Literal('DatabaseConnections')], {
      description: 'Metric averaged over the replicas (over the primary when there are none).',
    }),
    value: Type.Number({ exclusiveMinimum: 0, description: 'Average per replica to hold.' }),
    windowSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 86400, default: 600 })),
  },
  strict,
);

const ReadReplicas = Type.Object(
  {
    count: Type.Optional(Type.Integer({ minimum: 0, maximum: 15, description: 'A fixed number of replicas.' })),
    min: Type.Optional(Type.Integer({ minimum: 0, maximum: 15 })),
    max: Type.Optional(Type.Integer({ minimum: 0, maximum: 15 })),
    target: Type.Optional(ReplicaTarget),
    scaleInCooldown: Type.Optional(Type.Integer({ minimum: 0, default: 1800, description: 'Seconds.' })),
    scaleOutCooldown: Type.Optional(Type.Integer({ minimum: 0, default: 300, description: 'Seconds.' })),
    instanceClass: Type.Optional(Type.String({ pattern: '^db\\.[a-z0-9]+\\.[a-z0-9]+$', description: 'Defaults to the primary class.' })),
  },
  { ...strict, description: 'Either `count`, or `min`/`max` with a `target` to follow traffic.' },
);

export const DbInstanceSpec = Type.Object(
  {
    identifier: Type.Optional(
      Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$', description: 'RDS identifier; defaults to metadata.name.' }),
    ),
    engine: Type.Union(
      [Type.Literal('postgres'), Type.Literal('mysql'), Type.Literal('mariadb')],
      { description: 'Database engine.' },
    ),
    engineVersion: Type.String({
      pattern: '^[0-9]+(\\.[0-9]+){0,2}$',
      description: 'A version or a prefix: "16" matches any 16.x.',
    }),
    instanceClass: Type.String({ pattern: '^db\\.[a-z0-9]+\\.[a-z0-9]+$' }),
    storage: Type.Object(
      {
        allocatedGiB: Type.Integer({ minimum: 20, maximum: 65536 }),
        maxAllocatedGiB: Type.Optional(Type.Integer({ minimum: 21, maximum: 65536, description: 'Turns on storage autoscaling.' })),
        type: Type.Optional(Type.Union([Type.Literal('gp3'), Type.Literal('gp2'), Type.Literal('io1'), Type.Literal('io2')], { default: 'gp3' })),
        iops: Type.Optional(Type.Integer({ minimum: 1000 })),
        encrypted: Type.Optional(Type.Boolean({ default: true })),
        kmsKeyId: Type.Optional(Type.String({ minLength: 1 })),
      },
      strict,
    ),
    multiAZ: Type.Optional(Type.Boolean({ default: false })),
    masterUsername: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,15}$' }),
    manageMasterUserPassword: Type.Optional(
      Type.Literal(true, { default: true, description: 'The master password lives in Secrets Manager, managed by RDS. Always true.' }),
    ),
    masterUserSecretKmsKeyId: Type.Optional(Type.String({ minLength: 1 })),
    backup: Type.Object(
      {
        retentionDays: Type.Integer({ description: 'Automated backup retention, 1-35 days.' }),
        window: TimeWindow,
      },
      strict,
    ),
    maintenanceWindow: DayTimeWindow,
    deletionProtection: Type.Optional(Type.Boolean({ default: true })),
    performanceInsights: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean(),
          retentionDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 731, default: 7 })),
        },
        strict,
      ),
    ),
    parameterGroup: Type.Optional(Type.String({ minLength: 1 })),
    subnetGroup: Type.Optional(Type.String({ minLength: 1 })),
    securityGroups: Type.Optional(Type.Array(NetworkRef, { minItems: 1, uniqueItems: true })),
    publiclyAccessible: Type.Optional(Type.Boolean({ default: false })),
    applyImmediately: Type.Optional(
      Type.Boolean({ default: false, description: 'false: changes wait for the maintenance window.' }),
    ),
    readReplicas: Type.Optional(ReadReplicas),
  },
  strict,
);

export const DbInstance = manifest(
  'DbInstance',
  DbInstanceSpec,
  'An RDS DB instance with its backups, windows and read replicas.',
);
export type DbInstance = Static<typeof DbInstance>;
