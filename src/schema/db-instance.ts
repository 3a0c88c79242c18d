import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict, NetworkRef, DayTimeWindow, TimeWindow } from './common.js';

const ReplicaTarget = Type.Object(
  {
    metric: Type.Union([Type.Literal('CPUUtilization'), Type.Literal('DatabaseConnections')], {
      description: 'Metric averaged over the replicas (over the primary when there are none).',
    }),
    value: Type.Number({ exclusiveMinimum: 0, description: 'Average per replica to hold.' }),
    windowSeconds: Type.Optional(
      Type.Integer({ minimum: 60, maximum: 86400, default: 600, description: 'Seconds the metric is averaged over.' }),
    ),
  },
  { ...strict, description: 'The traffic the replica count follows.' },
);

const ManagedByRds = Type.Object(
  {
    managedByRds: Type.Literal(true, { description: 'RDS generates the password and rotates it in a Secrets Manager secret of its own.' }),
    kmsKey: Type.Optional(Type.String({ minLength: 1, description: 'KMS key for that secret; defaults to aws/secretsmanager.' })),
  },
  { ...strict, description: 'RDS manages the master password in Secrets Manager.' },
);

const FromSecret = Type.Object(
  {
    secretArn: Type.String({
      pattern: '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$',
      description: 'ARN of your Secrets Manager secret (the random suffix may be left out).',
    }),
    key: Type.Optional(Type.String({ minLength: 1, description: 'JSON key of the secret that holds the password; "password" when left out.' })),
  },
  { ...strict, description: 'Your own Secrets Manager secret: Ballast sets the password from it at create and whenever its version changes.' },
);

const ReadReplicas = Type.Object(
  {
    count: Type.Optional(Type.Integer({ minimum: 0, maximum: 15, description: 'A fixed number of replicas.' })),
    min: Type.Optional(Type.Integer({ minimum: 0, maximum: 15, description: 'Fewest replicas when following traffic.' })),
    max: Type.Optional(Type.Integer({ minimum: 0, maximum: 15, description: 'Most replicas when following traffic.' })),
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
      Type.String({
        pattern: '^[a-z](-?[a-z0-9])*$',
        maxLength: 63,
        description: 'RDS identifier, defaults to metadata.name: a letter, then letters, digits and single hyphens, not ending in a hyphen; at most 63 characters',
      }),
    ),
    engine: Type.Union(
      [Type.Literal('postgres'), Type.Literal('mysql'), Type.Literal('mariadb')],
      { description: 'Database engine.' },
    ),
    engineVersion: Type.String({
      pattern: '^[0-9]+(\\.[0-9]+){0,2}$',
      description: 'A version or a prefix: "16" matches any 16.x.',
    }),
    instanceClass: Type.String({ pattern: '^db\\.[a-z0-9]+\\.[a-z0-9]+$', description: 'DB instance class, e.g. db.r6g.large.' }),
    storage: Type.Object(
      {
        allocatedGiB: Type.Integer({ minimum: 20, maximum: 65536, description: 'Storage size in GiB.' }),
        maxAllocatedGiB: Type.Optional(Type.Integer({ minimum: 21, maximum: 65536, description: 'Turns on storage autoscaling.' })),
        type: Type.Optional(
          Type.Union([Type.Literal('gp3'), Type.Literal('gp2'), Type.Literal('io1'), Type.Literal('io2')], { default: 'gp3', description: 'Storage type.' }),
        ),
        iops: Type.Optional(Type.Integer({ minimum: 1000, description: 'Provisioned IOPS (io1, io2, or gp3 above its baseline).' })),
        encrypted: Type.Optional(Type.Boolean({ default: true, description: 'Encryption at rest; cannot change after create.' })),
        kmsKeyId: Type.Optional(Type.String({ minLength: 1, description: 'KMS key for encryption; defaults to the AWS managed key.' })),
      },
      { ...strict, description: 'Storage size, autoscaling, type and encryption.' },
    ),
    multiAZ: Type.Optional(Type.Boolean({ default: false, description: 'A standby in another AZ with automatic failover.' })),
    masterUsername: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,15}$', description: 'Master user name: a letter, then up to 15 letters, digits or underscores.' }),
    masterPassword: Type.Union([ManagedByRds, FromSecret], {
      description:
        'Where the master password comes from: RDS manages it in Secrets Manager ({managedByRds: true}; no read replicas then, but on SQL Server), or your own secret ({secretArn}). Never the password itself.',
    }),
    backup: Type.Object(
      {
        retentionDays: Type.Integer({
          minimum: 1,
          maximum: 35,
          description: 'Automated backup retention, 1-35 days (0 would turn automated backups and read replicas off).',
        }),
        window: TimeWindow,
        rpoBudgetMinutes: Type.Optional(
          Type.Integer({
            minimum: 1,
            maximum: 1440,
            default: 15,
            description:
              'Most minutes the latest restorable time may lag behind now; more is reported as drift (RDS normally keeps it within about 5 minutes).',
          }),
        ),
      },
      { ...strict, description: 'Automated backups: retention, the daily window they are taken in, and the recovery point budget.' },
    ),
    maintenanceWindow: DayTimeWindow,
    deletionProtection: Type.Optional(Type.Boolean({ default: true, description: 'RDS refuses to delete the instance.' })),
    performanceInsights: Type.Optional(
      Type.Object(
        {
          enabled: Type.Boolean({ description: 'Turn Performance Insights on.' }),
          retentionDays: Type.Optional(
            Type.Integer({ minimum: 7, maximum: 731, default: 7, description: 'Days to keep Performance Insights data.' }),
          ),
        },
        { ...strict, description: 'Performance Insights.' },
      ),
    ),
    parameterGroup: Type.Optional(Type.String({ minLength: 1, description: 'DB parameter group name; defaults to the engine default.' })),
    subnetGroup: Type.Optional(Type.String({ minLength: 1, description: 'DB subnet group name.' })),
    securityGroups: Type.Optional(
      Type.Array(NetworkRef, { minItems: 1, uniqueItems: true, description: 'VPC security group ids, or Name tags looked up in the account.' }),
    ),
    publiclyAccessible: Type.Optional(Type.Boolean({ default: false, description: 'Reachable from outside the VPC.' })),
    applyImmediately: Type.Optional(
      Type.Boolean({ default: false, description: 'false: changes wait for the maintenance window.' }),
    ),
    readReplicas: Type.Optional(ReadReplicas),
  },
  { ...strict, description: 'What the DB instance should look like; the master password is a reference, never a value.' },
);

export const DbInstance = manifest(
  'DbInstance',
  DbInstanceSpec,
  'An RDS DB instance with its backups, windows and read replicas.',
);
export type DbInstance = Static<typeof DbInstance>;
