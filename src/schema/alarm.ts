import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict, NetworkRef } from './common.js';

/** Dimensions taken from another manifest, so alarms never hard-code ids. */
const DimensionsFrom = Type.Object(
  {
    ecsService: Type.Optional(Type.String({ description: 'EcsService name: ClusterName and ServiceName.' })),
    targetGroupOf: Type.Optional(
      Type.String({ description: "EcsService name: its NLB target group's TargetGroup and LoadBalancer." }),
    ),
    dbInstance: Type.Optional(Type.String({ description: 'DbInstance name: DBInstanceIdentifier.' })),
    replica: Type.Optional(Type.Integer({ minimum: 1, description: 'With dbInstance: its Nth read replica.' })),
  },
  strict,
);

const Metric = Type.Object(
  {
    namespace: Type.String({ minLength: 1 }),
    name: Type.String({ minLength: 1 }),
    dimensions: Type.Optional(Type.Record(Type.String(), Type.String())),
    dimensionsFrom: Type.Optional(DimensionsFrom),
    statistic: Type.Optional(
      Type.String({
        pattern: '^(Average|Sum|Minimum|Maximum|SampleCount|p[0-9]{1,2}(\\.[0-9]+)?)$',
        default: 'Average',
        description: 'Average, Sum, Minimum, Maximum, SampleCount or a percentile such as p99.',
      }),
    ),
    period: Type.Optional(Type.Integer({ minimum: 10, default: 60, description: 'Seconds: 10, 30 or a multiple of 60.' })),
  },
  strict,
);

export const AlarmSpec = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1024 })),
    metric: Type.Optional(Metric),
    expression: Type.Optional(Type.String({ minLength: 1, description: 'Metric math over `metrics`, e.g. "100 * m1 / m2".' })),
    metrics: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9_]*$' }), Metric)),
    evaluationPeriods: Type.Integer({ minimum: 1 }),
    datapointsToAlarm: Type.Optional(Type.Integer({ minimum: 1 })),
    threshold: Type.Number(),
    comparison: Type.Union([
      Type.Literal('GreaterThanOrEqualToThreshold'),
      Type.Literal('GreaterThanThreshold'),
      Type.Literal('LessThanThreshold'),
      Type.Literal('LessThanOrEqualToThreshold'),
    ]),
    treatMissingData: Type.Optional(
      Type.Union(
        [Type.Literal('breaching'), Type.Literal('notBreaching'), Type.Literal('ignore'), Type.Literal('missing')],
        { default: 'missing' },
      ),
    ),
    actions: Type.Optional(
      Type.Object(
        {
          alarm: Type.Optional(Type.Array(NetworkRef, { uniqueItems: true, description: 'SNS topic names or ARNs.' })),
          ok: Type.Optional(Type.Array(NetworkRef, { uniqueItems: true })),
          insufficientData: Type.Optional(Type.Array(NetworkRef, { uniqueItems: true })),
        },
        strict,
      ),
    ),
  },
  { ...strict, description: 'Either `metric`, or `expression` with `metrics`.' },
);

export const Alarm = manifest('Alarm', AlarmSpec, 'A CloudWatch metric alarm (one metric, or metric math).');
export type Alarm = Static<typeof Alarm>;
