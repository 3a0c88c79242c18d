import type { Alarm } from '../../schema/index.js';
import type { Context, FieldChange } from '../../engine/types.js';
import { Changes } from '../../diff/compare.js';
import { metricDimensions, type AlarmMetricSpec } from './dimensions.js';
import type { AlarmActions, AlarmMetric, LiveAlarm } from './observe.js';

/** The manifest resolved to what AWS holds: dimensions and topic ARNs looked up, defaults applied. */
export interface DesiredAlarm extends Omit<LiveAlarm, 'arn' | 'actions' | 'actionsEnabled' | 'datapointsToAlarm'> {
  datapointsToAlarm: number;
  /** Only the action lists the manifest states. */
  actions: Partial<AlarmActions>;
}

export function resolveAlarm(m: Alarm, ctx: Context): DesiredAlarm {
  const s = m.spec;
  const metric = (x: AlarmMetricSpec): AlarmMetric => ({
    namespace: x.namespace,
    name: x.name,
    dimensions: metricDimensions(x, ctx),
    statistic: x.statistic ?? 'Average',
    period: x.period ?? 60,
  });
  const topics = (refs: string[] | undefined) => refs?.map((ref) => ctx.refs.require('topic', ref));
  return {
    description: s.description,
    metric: s.metric && metric(s.metric),
    expression: s.expression,
    metrics: s.metrics && Object.fromEntries(Object.entries(s.metrics).map(([id, x]) => [id, metric(x)])),
    evaluationPeriods: s.evaluationPeriods,
    // Unstated, AWS counts every evaluation period.
    datapointsToAlarm: s.datapointsToAlarm ?? s.evaluationPeriods,
    threshold: s.threshold,
    comparison: s.comparison,
    treatMissingData: s.treatMissingData ?? 'missing',
    actions: { alarm: topics(s.actions?.alarm), ok: topics(s.actions?.ok), insufficientData: topics(s.actions?.insufficientData) },
  };
}

function diffMetric(changes: Changes, path: string, live: AlarmMetric | undefined, desired: AlarmMetric): void {
  if (!live) return changes.field(path, null, desired);
  changes.field(`${path}.namespace`, live.namespace, desired.namespace);
  changes.field(`${path}.name`, live.name, desired.name);
  // Compared as maps, so the order AWS lists dimensions in does not matter.
  changes.field(`${path}.dimensions`, live.dimensions, desired.dimensions);
  changes.field(`${path}.statistic`, live.statistic, desired.statistic);
  changes.field(`${path}.period`, live.period, desired.period);
}

export function diffAlarm(m: Alarm, live: LiveAlarm, ctx: Context): FieldChange[] {
  const d = resolveAlarm(m, ctx);
  const changes = new Changes();
  changes.field('spec.description', live.description ?? '', d.description);
  if (d.metric) diffMetric(changes, 'spec.metric', live.metric, d.metric);
  if (d.metrics) {
    changes.field('spec.expression', live.expression ?? null, d.expression);
    for (const [id, metric] of Object.entries(d.metrics)) diffMetric(changes, `spec.metrics[${id}]`, live.metrics?.[id], metric);
    for (const [id, metric] of Object.entries(live.metrics ?? {})) if (!(id in d.metrics)) changes.field(`spec.metrics[${id}]`, metric, null);
  }
  changes.field('spec.evaluationPeriods', live.evaluationPeriods, d.evaluationPeriods);
  // Datapoints equal to the evaluation periods mean the same as none stated, on either side.
  const explicit = (datapoints: number | undefined, periods: number) => (datapoints === periods ? undefined : datapoints);
  if (explicit(live.datapointsToAlarm, live.evaluationPeriods) !== explicit(m.spec.datapointsToAlarm, d.evaluationPeriods)) {
    changes.field('spec.datapointsToAlarm', live.datapointsToAlarm ?? live.evaluationPeriods, d.datapointsToAlarm);
  }
  changes.field('spec.threshold', live.threshold, d.threshold);
  changes.field('spec.comparison', live.comparison, d.comparison);
  changes.field('spec.treatMissingData', live.treatMissingData, d.treatMissingData);
  for (const key of ['alarm', 'ok', 'insufficientData'] as const) changes.set(`spec.actions.${key}`, live.actions[key], d.actions[key]);
  return changes.list;
}
