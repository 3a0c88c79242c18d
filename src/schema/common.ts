import { Type, type TSchema, type Static } from '@sinclair/typebox';
import { API_VERSION } from './kinds.js';


/** Annotations with meaning across kinds. */
export const ANNOTATIONS = {
  mode: 'ballast.dev/mode',
  allowDestructive: 'ballast.dev/allow-destructive',
  adopt: 'ballast.dev/adopt',
  allowMajorUpgrade: 'ballast.dev/allow-major-version-upgrade',
} as const;

export const Mode = Type.Union([Type.Literal('enforce'), Type.Literal('detect'), Type.Literal('suspend')]);
export type Mode = Static<typeof Mode>;

export const Name = Type.String({
  pattern: '^[a-z][a-z0-9-]{0,61}[a-z0-9]$',
  description: 'Lower-case letters, digits and hyphens, 2-63 characters; AWS names derive from it.',
});

const Metadata = Type.Object(
  {
    name: Name,
    target: Type.Optional(
      Type.String({
        pattern: Name.pattern,
        description: 'metadata.name of the Target this manifest is applied in; absent: the controller\'s own account and region.',
      }),
    ),
    labels: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9./_-]{1,63}$' }), Type.String({ maxLength: 256 }), {
        additionalProperties: false,
        description: 'Free-form labels; `environment: production` turns on production rules (Multi-AZ).',
      }),
    ),
    annotations: Type.Optional(
      Type.Object(
        {
          [ANNOTATIONS.mode]: Type.Optional(
            Type.Union([Type.Literal('enforce'), Type.Literal('detect'), Type.Literal('suspend')], {
              description: 'enforce (default): fix drift. detect: report drift, write nothing. suspend: skip entirely.',
            }),
          ),
          [ANNOTATIONS.allowDestructive]: Type.Optional(
            Type.Literal('true', {
              description: 'Opt in to destructive changes (delete on prune, replace, turning off Multi-AZ or deletion protection, lowering backup retention).',
            }),
          ),
          [ANNOTATIONS.adopt]: Type.Optional(
            Type.Literal('true', { description: 'Take over an existing resource that lacks the ownership tag; adoption adds the tag.' }),
          ),
          [ANNOTATIONS.allowMajorUpgrade]: Type.Optional(
            Type.Literal('true', { description: 'DbInstance: allow a major engine version upgrade (AllowMajorVersionUpgrade); without it the change is refused.' }),
          ),
        },
        {
          additionalProperties: Type.String(),
          description: 'Instructions to Ballast; other annotations are kept as free-form notes.',
        },
      ),
    ),
  },
  { additionalProperties: false, description: 'Name, labels and annotations, as in Kubernetes.' },
);

/** A Kubernetes-style document: the kind's spec schema wrapped in apiVersion/kind/metadata. */
export function manifest<K extends string, S extends TSchema>(kind: K, spec: S, description: string) {
  return Type.Object(
    {
      apiVersion: Type.Literal(API_VERSION, { description: 'Version of the manifest language.' }),
      kind: Type.Literal(kind, { description: 'What this manifest describes.' }),
      metadata: Metadata,
      spec,
    },
    { additionalProperties: false, $id: `https://ballast.dev/schemas/${kind}.json`, title: kind, description },
  );
}

export const strict = { additionalProperties: false } as const;

/**
 * A network piece that differs per account. A literal id or ARN (`subnet-…`, `sg-…`, `arn:…`) is used as is;
 * anything else is looked up by name (the `Name` tag for subnets and security groups, the target group name, the
 * SNS topic name), so one manifest runs unchanged against any account that names its pieces the same way.
 */
export const NetworkRef = Type.String({ minLength: 1, maxLength: 255 });

/** A NetworkRef that says what it refers to. */
export const networkRef = (description: string) => Type.String({ minLength: 1, maxLength: 255, description });

export const DayTimeWindow = Type.String({
  pattern: '^(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]-(mon|tue|wed|thu|fri|sat|sun):([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'Weekly UTC window as ddd:hh:mm-ddd:hh:mm (mon-sun, hours 00-23), at least 30 minutes.',
});

export const TimeWindow = Type.String({
  pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9]$',
  description: 'Daily UTC window as hh:mm-hh:mm (hours 00-23), at least 30 minutes.',
});

export const SecretRef = Type.String({
  pattern: '^(arn:aws[a-z-]*:(secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+|ssm:[a-z0-9-]+:[0-9]{12}:parameter/.+)|/[A-Za-z0-9_.\\-/]+)$',
  description:
    'Where the secret lives, never its value: a Secrets Manager ARN (optionally with :json-key::), an SSM parameter ARN, or an SSM parameter name such as /shop/api-key in the same region.',
});
