import type { Reconciler } from '../../engine/types.js';
import { asKeyValue, ownershipTags } from '../../engine/tags.js';
import { metricDependencies } from './dimensions.js';
import { diffAlarm } from './diff.js';
import { ALARM_BATCH, describeAlarms, observeAlarms, type LiveAlarm } from './observe.js';
import { batchedRead } from '../../health/batcher.js';
import { alarmSteps } from './steps.js';

export type { AlarmActions, AlarmMetric, LiveAlarm } from './observe.js';

const ARN_NAME = ':alarm:';

export const alarm: Reconciler<'Alarm', LiveAlarm> = {
  kind: 'Alarm',
  taggingType: 'cloudwatch:alarm',
  observe: observeAlarms,
  diff: diffAlarm,
  steps: alarmSteps,
  dependsOn(m) {
    const metrics = m.spec.metric ? [m.spec.metric] : Object.values(m.spec.metrics ?? {});
    return [...new Set(metrics.flatMap(metricDependencies))];
  },
  // An alarm's state is what it reports, not its health: it is steady once it exists (100 checked a call).
  async health(m, ctx) {
    const read = batchedRead(ctx, 'cloudwatch:DescribeAlarms', ALARM_BATCH, async (names) =>
      new Map((await ctx.limit('cloudwatch', () => describeAlarms(ctx, names))).map((a) => [a.AlarmName ?? '', a])),
    );
    const found = await read(m.metadata.name);
    return found ? { steady: true, reason: 'alarm exists' } : { steady: false, reason: 'alarm not found' };
  },
  nameOf: (arn) => arn.slice(arn.indexOf(ARN_NAME) + ARN_NAME.length),
  deleteSteps: (name) => [
    { op: 'delete', summary: 'delete alarm', calls: [{ service: 'cloudwatch', operation: 'DeleteAlarms', input: { AlarmNames: [name] } }] },
  ],
  adoptCalls: (m, live, ctx) => [
    { service: 'cloudwatch', operation: 'TagResource', input: { ResourceARN: live.arn, Tags: asKeyValue(ownershipTags(ctx.controllerId, m)) } },
  ],
};
