import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict } from './common.js';

export const TargetSpec = Type.Object(
  {
    accountId: Type.String({ pattern: '^[0-9]{12}$', description: 'The AWS account the target\'s resources live in (12 digits).' }),
    region: Type.String({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$', description: 'The region they live in, e.g. eu-west-1.' }),
    roleArn: Type.String({
      pattern: '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$',
      description: 'The role in that account the controller assumes (STS AssumeRole) to read and write there.',
    }),
    externalId: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9+=,.@:/_-]{2,1224}$', description: 'Sent as ExternalId, for a trust policy that requires one.' }),
    ),
    sessionTags: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9+=,.@:/_-]{1,128}$' }), Type.String({ maxLength: 256 }), {
        additionalProperties: false,
        maxProperties: 50,
        description: 'Session tags passed with AssumeRole (aws:PrincipalTag/<key> in the target role\'s policies).',
      }),
    ),
  },
  { ...strict, description: 'Where a target\'s manifests are applied, and as whom.' },
);

export const Target = manifest(
  'Target',
  TargetSpec,
  'An AWS account and region to apply manifests in, through a role the controller assumes; manifests name it in metadata.target.',
);
export type Target = Static<typeof Target>;
