import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict, Name } from './common.js';

const TargetTracking = Type.Object(
  {
    targetValue: Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Average utilisation to hold, in percent.' }),
    scaleInCooldown: Type.Optional(Type.Integer({ minimum: 0, default: 300, description: 'Seconds.' })),
    scaleOutCooldown: Type.Optional(Type.Integer({ minimum: 0, default: 60, description: 'Seconds.' })),
    disableScaleIn: Type.Optional(Type.Boolean({ default: false })),
  },
  strict,
);

const ScheduledAction = Type.Object(
  {
    name: Name,
    schedule: Type.String({
      pattern: '^(cron\\(.+\\)|rate\\(.+\\)|at\\(.+\\))$',
      description: 'Application Auto Scaling schedule: cron(...), rate(...) or at(...).',
    }),
    timezone: Type.Optional(Type.String({ default: 'UTC' })),
    minTasks: Type.Optional(Type.Integer({ minimum: 0 })),
    maxTasks: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  strict,
);

export const ServiceAutoscalingSpec = Type.Object(
  {
    service: Type.String({ minLength: 1, description: 'metadata.name of the EcsService it scales.' }),
    minTasks: Type.Integer({ minimum: 0 }),
    maxTasks: Type.Integer({ minimum: 1 }),
    cpu: Type.Optional(TargetTracking),
    memory: Type.Optional(TargetTracking),
    scheduledActions: Type.Optional(Type.Array(ScheduledAction)),
  },
  strict,
);

export const ServiceAutoscaling = manifest(
  'ServiceAutoscaling',
  ServiceAutoscalingSpec,
  'ECS Service Auto Scaling: bounds and target tracking on CPU and memory for one EcsService.',
);
export type ServiceAutoscaling = Static<typeof ServiceAutoscaling>;
