import { Type, type Static } from '@sinclair/typebox';
import { manifest, strict, Name } from './common.js';

const TargetTracking = Type.Object(
  {
    targetValue: Type.Number({ exclusiveMinimum: 0, maximum: 100, description: 'Average utilisation to hold, in percent.' }),
    scaleInCooldown: Type.Optional(Type.Integer({ minimum: 0, default: 300, description: 'Seconds.' })),
    scaleOutCooldown: Type.Optional(Type.Integer({ minimum: 0, default: 60, description: 'Seconds.' })),
    disableScaleIn: Type.Optional(Type.Boolean({ default: false, description: 'Only ever scale out on this metric.' })),
  },
  { ...strict, description: 'Target tracking: keep the average near targetValue by adding and removing tasks.' },
);

const ScheduledAction = Type.Object(
  {
    name: Name,
    schedule: Type.String({
      pattern: '^(cron\\(.+\\)|rate\\(.+\\)|at\\(.+\\))$',
      description: 'Application Auto Scaling schedule: cron(...), rate(...) or at(...).',
    }),
    timezone: Type.Optional(Type.String({ default: 'UTC', description: 'IANA time zone of the schedule, e.g. Europe/Berlin.' })),
    minTasks: Type.Optional(Type.Integer({ minimum: 0, description: 'New minTasks from the scheduled time on.' })),
    maxTasks: Type.Optional(Type.Integer({ minimum: 0, description: 'New maxTasks from the scheduled time on.' })),
  },
  { ...strict, description: 'Changes the bounds at a time: state minTasks, maxTasks or both.' },
);

export const ServiceAutoscalingSpec = Type.Object(
  {
    service: Type.String({ minLength: 1, description: 'metadata.name of the EcsService it scales.' }),
    minTasks: Type.Integer({ minimum: 0, description: 'Fewest running tasks.' }),
    maxTasks: Type.Integer({ minimum: 1, description: 'Most running tasks; at least minTasks.' }),
    cpu: Type.Optional(TargetTracking),
    memory: Type.Optional(TargetTracking),
    scheduledActions: Type.Optional(Type.Array(ScheduledAction, { description: 'Bounds that change on a schedule.' })),
  },
  { ...strict, description: 'Bounds and policies; policies are named <metadata.name>-cpu and <metadata.name>-memory.' },
);

export const ServiceAutoscaling = manifest(
  'ServiceAutoscaling',
  ServiceAutoscalingSpec,
  'ECS Service Auto Scaling: bounds and target tracking on CPU and memory for one EcsService.',
);
export type ServiceAutoscaling = Static<typeof ServiceAutoscaling>;
