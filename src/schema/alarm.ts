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
  { ...strict, description: 'Exactly one of ecsService, targetGroupOf, dbInstance: the dimensions of that manifest.' },
);

const Metric = Type.Object(
  {
    namespace: Type.String({ minLength: 1, description: 'CloudWatch namespace, e.g. AWS/ECS.' }),
    name: Type.String({ minLength: 1, description: 'Metric name, e.g. CPUUtilization.' }),
    dimensions: Type.Optional(
      Type.Record(Type.String(), Type.String(), { additionalProperties: false, description: 'Literal dimensions, added to dimensionsFrom.' }),
    ),
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
  { ...strict, description: 'A CloudWatch metric and how to aggregate it.' },
);

export const AlarmSpec = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 1024, description: 'Alarm description, shown in notifications.' })),
    metric: Type.Optional(Metric),
    expression: Type.Optional(Type.String({ minLength: 1, description: 'Metric math over `metrics`, e.g. "100 * m1 / m2".' })),
    metrics: Type.Optional(
      Type.Record(Type.String({ pattern: '^[a-z][a-zA-Z0-9_]*$' }), Metric, {
        additionalProperties: false,
        description: 'With expression: the metrics it uses, by id (a lower-case letter, then letters, digits, _).',
      }),
    ),
    evaluationPeriods: Type.Integer({ minimum: 1, description: 'Periods looked at for each evaluation.' }),
    datapointsToAlarm: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Breaching periods among them that raise the alarm; defaults to evaluationPeriods.' }),
    ),
    threshold: Type.Number({ description: 'Value compared with the statistic.' }),
    comparison: Type.Union(
      [
        Type.Literal('GreaterThanOrEqualToThreshold'),
        Type.Literal('GreaterThanThreshold'),
        Type.Literal('LessThanThreshold'),
        Type.Literal('LessThanOrEqualToThreshold'),
      ],
      { description: 'How the statistic is compared with the threshold.' },
    ),
    treatMissingData: Type.Optional(
      Type.Union(
        [Type.Literal('breaching'), Type.Literal('notBreaching'), Type.Literal('ignore'), Type.Literal('missing')],
        { default: 'missing', description: 'What a period without data counts as.' },
      ),
    ),
    actions: Type.Optional(
      Type.Object(
        {
          alarm: Type.Optional(Type.Array(NetworkRef, { uniqueItems: true, description: 'SNS topic names or ARNs.' })),
          ok: Type.Optional(Type.Array(NetworkRef, { uniqueItems: true, description: 'SNS topic names or ARNs notified on return to OK.' })),
          insufficientData: Type.Optional(
            Type.Array(NetworkRef, { uniqueItems: true, description: 'SNS topic names or ARNs notified on INSUFFICIENT_DATA.' }),
          ),
        },
        { ...strict, description: 'SNS topics notified on each state change.' },
      ),
    ),
  },
  { ...strict, description: 'Either `metric`, or `expression` with `metrics`.' },
);

export const Alarm = manifest('Alarm', AlarmSpec, 'A CloudWatch metric alarm (one metric, or metric math).');
export type Alarm = Static<typeof Alarm>;
