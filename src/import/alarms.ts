import { paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import type { Aws } from '../aws/clients.js';
import { toLive, type AlarmMetric, type LiveAlarm } from '../reconcilers/alarm/observe.js';
import { manifest, type Draft } from './manifest.js';
import type { Names } from './names.js';

/** Schema defaults of a metric: stated only when the alarm differs. */
const METRIC_DEFAULTS = { statistic: 'Average', period: 60 };

/** The metric alarms whose names start with one of the prefixes. */
export async function importAlarms(aws: Aws, prefixes: string[], names: Names): Promise<Draft[]> {
  const drafts = new Map<string, Draft>();
  for (const AlarmNamePrefix of prefixes) {
    for await (const page of paginateDescribeAlarms({ client: aws.cloudwatch }, { AlarmNamePrefix, AlarmTypes: ['MetricAlarm'] })) {
      for (const a of page.MetricAlarms ?? []) drafts.set(a.AlarmName ?? '', manifest('Alarm', a.AlarmName ?? '', alarmSpec(toLive(a), names)));
    }
  }
  return [...drafts.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

function metric(m: AlarmMetric): Record<string, unknown> {
  return {
    namespace: m.namespace,
    name: m.name,
    ...(Object.keys(m.dimensions).length > 0 ? { dimensions: m.dimensions } : {}),
    ...(m.statistic !== METRIC_DEFAULTS.statistic ? { statistic: m.statistic } : {}),
    ...(m.period !== METRIC_DEFAULTS.period ? { period: m.period } : {}),
  };
}

function alarmSpec(a: LiveAlarm, names: Names): Record<string, unknown> {
  const topics = (arns: string[]) => (arns.length > 0 ? arns.map(names.topic) : undefined);
  const actions = Object.fromEntries(
    (['alarm', 'ok', 'insufficientData'] as const).flatMap((k) => (topics(a.actions[k]) ? [[k, topics(a.actions[k])]] : [])),
  );
  return {
    ...(a.description ? { description: a.description } : {}),
    ...(a.metric ? { metric: metric(a.metric) } : {}),
    ...(a.expression ? { expression: a.expression, metrics: Object.fromEntries(Object.entries(a.metrics ?? {}).map(([id, m]) => [id, metric(m)])) } : {}),
    evaluationPeriods: a.evaluationPeriods,
    ...(a.datapointsToAlarm !== undefined && a.datapointsToAlarm !== a.evaluationPeriods ? { datapointsToAlarm: a.datapointsToAlarm } : {}),
    threshold: a.threshold,
    comparison: a.comparison,
    ...(a.treatMissingData !== 'missing' ? { treatMissingData: a.treatMissingData } : {}),
    ...(Object.keys(actions).length > 0 ? { actions } : {}),
  };
}
