import type { Alarm } from '../../schema/index.js';
import type { AwsCall, Context, FieldChange, Step } from '../../engine/types.js';
import { asKeyValue, ownershipTags } from '../../engine/tags.js';
import type { Dimensions } from './dimensions.js';
import { resolveAlarm, type DesiredAlarm } from './diff.js';
import type { AlarmMetric, LiveAlarm } from './observe.js';

const isPercentile = (statistic: string) => /^p[0-9]/.test(statistic);

const dimensionList = (dimensions: Dimensions) =>
  Object.entries(dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([Name, Value]) => ({ Name, Value }));

function singleMetric(m: AlarmMetric): Record<string, unknown> {
  return {
    Namespace: m.namespace,
    MetricName: m.name,
    Dimensions: dimensionList(m.dimensions),
    Period: m.period,
    [isPercentile(m.statistic) ? 'ExtendedStatistic' : 'Statistic']: m.statistic,
  };
}

/** Metric math: the expression is the only query that returns data; its id must not clash with a metric id. */
function metricMath(expression: string, metrics: Record<string, AlarmMetric>): Record<string, unknown> {
  let id = 'expression';
  while (id in metrics) id += '_';
  return {
    Metrics: [
      { Id: id, Expression: expression, ReturnData: true },
      ...Object.entries(metrics).map(([Id, m]) => ({
        Id,
        MetricStat: { Metric: { Namespace: m.namespace, MetricName: m.name, Dimensions: dimensionList(m.dimensions) }, Period: m.period, Stat: m.statistic },
        ReturnData: false,
      })),
    ],
  };
}

/**
 * PutMetricAlarm replaces the whole alarm, so the input is the desired alarm merged with the live values of what the
 * manifest leaves out (description, unstated action lists, whether actions are enabled).
 */
function putAlarmInput(name: string, d: DesiredAlarm, live: LiveAlarm | undefined): Record<string, unknown> {
  const description = d.description ?? live?.description;
  return {
    AlarmName: name,
    ...(description !== undefined && { AlarmDescription: description }),
    ActionsEnabled: live?.actionsEnabled ?? true,
    AlarmActions: d.actions.alarm ?? live?.actions.alarm ?? [],
    OKActions: d.actions.ok ?? live?.actions.ok ?? [],
    InsufficientDataActions: d.actions.insufficientData ?? live?.actions.insufficientData ?? [],
    ...(d.metric ? singleMetric(d.metric) : metricMath(d.expression ?? '', d.metrics ?? {})),
    EvaluationPeriods: d.evaluationPeriods,
    DatapointsToAlarm: d.datapointsToAlarm,
    Threshold: d.threshold,
    ComparisonOperator: d.comparison,
    TreatMissingData: d.treatMissingData,
  };
}

const putMetricAlarm = (input: Record<string, unknown>): AwsCall => ({ service: 'cloudwatch', operation: 'PutMetricAlarm', input });

export function alarmSteps(m: Alarm, live: LiveAlarm | undefined, changes: FieldChange[], ctx: Context): Step[] {
  const input = putAlarmInput(m.metadata.name, resolveAlarm(m, ctx), live);
  if (!live) {
    // Tags only on create: a PutMetricAlarm without Tags keeps the ones the alarm has.
    return [{ op: 'create', summary: 'create alarm', calls: [putMetricAlarm({ ...input, Tags: asKeyValue(ownershipTags(ctx.controllerId, m)) })] }];
  }
  const due = changes.filter((c) => !c.pending);
  if (due.length === 0) return [];
  return [{ op: 'update', summary: `replace alarm (${due.map((c) => c.path).join(', ')})`, calls: [putMetricAlarm(input)] }];
}
