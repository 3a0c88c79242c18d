import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict, Name } from './common.js';

/** Expectations read through the RDS API on the restored instance: a drill never connects to the database. */
const CustomCheck = Type.Object(
  {
    name: Type.String({ pattern: Name.pattern, description: 'Names the check in reports: lower-case letters, digits and hyphens.' }),
    expect: Type.Object(
      {
        allocatedStorageAtLeastGiB: Type.Optional(
          Type.Integer({ minimum: 1, description: 'The restored instance has at least this much storage, in GiB.' }),
        ),
        storageType: Type.Optional(
          Type.Union([Type.Literal('gp3'), Type.Literal('gp2'), Type.Literal('io1'), Type.Literal('io2')], {
            description: 'The restored instance has this storage type.',
          }),
        ),
        parameterGroup: Type.Optional(
          Type.String({ minLength: 1, description: 'The restored instance uses this DB parameter group (the drill restores with the source\'s).' }),
        ),
        tagsPresent: Type.Optional(
          Type.Array(Type.String({ minLength: 1, maxLength: 128 }), {
            minItems: 1,
            uniqueItems: true,
            description: 'Tag keys the restored instance carries.',
          }),
        ),
      },
      { ...strict, description: 'What must hold; state at least one.' },
    ),
  },
  { ...strict, description: 'A check of your own on the restored instance.' },
);

const Checks = Type.Object(
  {
    status: Type.Optional(Type.Boolean({ default: true, description: 'The restored instance reaches `available`.' })),
    engineVersion: Type.Optional(Type.Boolean({ default: true, description: 'Its engine version equals the source\'s.' })),
    encryption: Type.Optional(
      Type.Boolean({ default: true, description: 'Its storage encryption (and KMS key) equals the source\'s.' }),
    ),
    multiAZ: Type.Optional(
      Type.Boolean({
        description: 'Its Multi-AZ setting equals this; true also restores it as Multi-AZ (otherwise drills restore single-AZ).',
      }),
    ),
    custom: Type.Optional(Type.Array(CustomCheck, { description: 'Checks of your own, by name.' })),
  },
  { ...strict, default: {}, description: 'What a restore must show to pass.' },
);

export const RestoreDrillSpec = Type.Object(
  {
    dbInstance: Type.String({ pattern: Name.pattern, description: 'metadata.name of the DbInstance whose backups are restored.' }),
    schedule: Type.String({
      pattern: '^\\S+(\\s+\\S+){4}$',
      description: 'When to drill: a five-field cron expression (minute hour day-of-month month day-of-week), e.g. "0 5 * * 1".',
    }),
    timezone: Type.Optional(Type.String({ minLength: 1, default: 'UTC', description: 'IANA time zone of the schedule, e.g. Europe/Berlin.' })),
    method: Type.Union(
      [Type.Literal('latest-automated-snapshot'), Type.Literal('latest-manual-snapshot'), Type.Literal('point-in-time')],
      { description: 'What is restored: the newest automated or manual snapshot, or the latest restorable time (point-in-time).' },
    ),
    instanceClass: Type.Optional(
      Type.String({
        pattern: '^db\\.[a-z0-9]+\\.[a-z0-9]+$',
        default: 'db.t4g.medium',
        description: 'Class of the drill instance: small is enough, it only has to come up.',
      }),
    ),
    rtoBudgetMinutes: Type.Integer({ minimum: 1, description: 'Recovery time objective: most minutes from drill start until the copy is available.' }),
    rpoBudgetMinutes: Type.Integer({
      minimum: 1,
      description: 'Recovery point objective: most minutes between the time of the restored data and drill start.',
    }),
    timeoutMinutes: Type.Optional(
      Type.Integer({ minimum: 5, maximum: 1440, default: 60, description: 'Give up waiting for the copy after this long; it is deleted all the same.' }),
    ),
    checks: Type.Optional(Checks),
  },
  { ...strict, description: 'Which DB to restore, when, how, and what the restored copy must show.' },
);

export const RestoreDrill = manifest(
  'RestoreDrill',
  RestoreDrillSpec,
  'A disaster-recovery drill: restores a DbInstance into a temporary instance, checks it, measures RTO and RPO, deletes it.',
);
export type RestoreDrill = Static<typeof RestoreDrill>;
