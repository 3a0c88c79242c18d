import { DescribeAlarmsCommand, type MetricAlarm, type MetricStat } from '@aws-sdk/client-cloudwatch';
import type { Alarm } from '../../schema/index.js';
import type { Observation, ObserveContext } from '../../engine/types.js';
import { errorOf } from '../../observe/index.js';
import type { Dimensions } from './dimensions.js';
import { chunks } from '../../aws/batch.js';

/** AlarmNames per DescribeAlarms call. */
export const ALARM_BATCH = 100;

export interface AlarmMetric {
  namespace: string;
  name: string;
  dimensions: Dimensions;
  /** Average, Sum, ... or a percentile such as p99. */
  statistic: string;
  period: number;
}

export interface AlarmActions {
  alarm: string[];
  ok: string[];
  insufficientData: string[];
}

/** A metric alarm in the manifest's shape, with topic ARNs and resolved dimensions. */
export interface LiveAlarm {
  arn: string;
  description?: string;
  metric?: AlarmMetric;
  expression?: string;
  metrics?: Record<string, AlarmMetric>;
  evaluationPeriods: number;
  /** Absent: every evaluation period counts. */
  datapointsToAlarm?: number;
  threshold: number;
  comparison: string;
  treatMissingData: string;
  actions: AlarmActions;
  /** Not managed; read so that a replace does not switch actions back on. */
  actionsEnabled: boolean;
}

const dimensionsOf = (list: { Name?: string; Value?: string }[] | undefined): Dimensions =>
  Object.fromEntries((list ?? []).map((d) => [d.Name ?? '', d.Value ?? '']));

function fromStat(stat: MetricStat | undefined): AlarmMetric {
  return {
    namespace: stat?.Metric?.Namespace ?? '',
    name: stat?.Metric?.MetricName ?? '',
    dimensions: dimensionsOf(stat?.Metric?.Dimensions),
    statistic: stat?.Stat ?? '',
    period: stat?.Period ?? 0,
  };
}

export function toLive(a: MetricAlarm): LiveAlarm {
  const queries = a.Metrics ?? [];
  const shape: Pick<LiveAlarm, 'metric' | 'expression' | 'metrics'> =
    queries.length > 0
      ? {
          expression: queries.find((q) => q.Expression !== undefined)?.Expression,
          metrics: Object.fromEntries(queries.filter((q) => q.MetricStat).map((q) => [q.Id ?? '', fromStat(q.MetricStat)])),
        }
      : {
          metric: {
            namespace: a.Namespace ?? '',
            name: a.MetricName ?? '',
            dimensions: dimensionsOf(a.Dimensions),
            statistic: a.Statistic ?? a.ExtendedStatistic ?? '',
            period: a.Period ?? 0,
          },
        };
  return {
    arn: a.AlarmArn ?? '',
    description: a.AlarmDescription,
    ...shape,
    evaluationPeriods: a.EvaluationPeriods ?? 0,
    datapointsToAlarm: a.DatapointsToAlarm,
    threshold: a.Threshold ?? 0,
    comparison: a.ComparisonOperator ?? '',
    treatMissingData: a.TreatMissingData ?? 'missing',
    actions: { alarm: a.AlarmActions ?? [], ok: a.OKActions ?? [], insufficientData: a.InsufficientDataActions ?? [] },
    actionsEnabled: a.ActionsEnabled ?? true,
  };
}

/** The metric alarms with these names (up to one batch); missing names are simply absent. */
export async function describeAlarms(ctx: ObserveContext, names: string[]): Promise<MetricAlarm[]> {
  const alarms: MetricAlarm[] = [];
  let NextToken: string | undefined;
  do {
    const out = await ctx.aws.cloudwatch.send(
      new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm'], MaxRecords: ALARM_BATCH, NextToken }),
    );
    alarms.push(...(out.MetricAlarms ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return alarms;
}

/** One DescribeAlarms per 100 names; ownership comes from the engine's single tagging read. */
export async function observeAlarms(manifests: Alarm[], ctx: ObserveContext): Promise<Map<string, Observation<LiveAlarm>>> {
  const names = manifests.map((m) => m.metadata.name);
  const batches = chunks(names, ALARM_BATCH);
  const result = new Map<string, Observation<LiveAlarm>>();
  await Promise.all(
    batches.map((batch) =>
      ctx.limit('cloudwatch', async () => {
        try {
          const found = new Map((await describeAlarms(ctx, batch)).map((a) => [a.AlarmName, a]));
          for (const name of batch) {
            const a = found.get(name);
            result.set(name, a ? { state: 'found', live: toLive(a), owned: ctx.owned(a.AlarmArn ?? '') } : { state: 'missing' });
          }
        } catch (err) {
          const error = errorOf(err);
          for (const name of batch) result.set(name, { state: 'error', error });
        }
      }),
    ),
  );
  return result;
}
