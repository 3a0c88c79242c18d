import { GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { ObserveContext } from '../../engine/types.js';

/** GetMetricData takes up to 500 queries a call. */
const QUERIES_PER_CALL = 500;

/** One DB's metric: its average over the window per instance, then across the instances that reported data. */
export interface MetricRequest {
  /** The manifest name the result is for. */
  key: string;
  metric: string;
  instances: string[];
  windowSeconds: number;
}

/** The average (undefined: no data in the window), or why it could not be read. */
export type MetricReading = { value: number | undefined } | { error: string };

type Reader = Pick<ObserveContext, 'aws' | 'limit'>;

interface Series {
  request: MetricRequest;
  instance: string;
}

const mean = (values: number[]) => (values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : undefined);

const query = (s: Series, Id: string): MetricDataQuery => ({
  Id,
  MetricStat: {
    Metric: { Namespace: 'AWS/RDS', MetricName: s.request.metric, Dimensions: [{ Name: 'DBInstanceIdentifier', Value: s.instance }] },
    // One period over the whole window (CloudWatch wants whole minutes); an unaligned window may still yield two.
    Period: Math.ceil(s.request.windowSeconds / 60) * 60,
    Stat: 'Average',
  },
});

/** One GetMetricData for up to 500 series sharing a window: per series, the mean of the values returned. */
async function readBatch(ctx: Reader, batch: Series[], windowSeconds: number, now: Date): Promise<(number | undefined)[]> {
  const out = await ctx.limit('cloudwatch', () =>
    ctx.aws.cloudwatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: batch.map((s, i) => query(s, `q${i}`)),
        StartTime: new Date(now.getTime() - windowSeconds * 1000),
        EndTime: now,
      }),
    ),
  );
  // At most two values per query, far below the 100,800 a response holds: no NextToken to follow.
  const byId = new Map((out.MetricDataResults ?? []).map((r) => [r.Id, mean(r.Values ?? [])]));
  return batch.map((_, i) => byId.get(`q${i}`));
}

/** Series sharing a window, 500 a batch (a call has one time range). */
function batchesOf(requests: MetricRequest[]): { window: number; batch: Series[] }[] {
  return [...new Set(requests.map((r) => r.windowSeconds))].flatMap((window) => {
    const series = requests.filter((r) => r.windowSeconds === window).flatMap((request) => request.instances.map((instance) => ({ request, instance })));
    return Array.from({ length: Math.ceil(series.length / QUERIES_PER_CALL) }, (_, i) => ({
      window,
      batch: series.slice(i * QUERIES_PER_CALL, (i + 1) * QUERIES_PER_CALL),
    }));
  });
}

/**
 * The metric of every request with as few GetMetricData calls as the API allows (one per 500 instances sharing a
 * window). A failed call is reported for its requests, never thrown.
 */
export async function readReplicaMetrics(ctx: Reader, requests: MetricRequest[], now: Date): Promise<Map<string, MetricReading>> {
  const values = new Map<string, number[]>();
  const errors = new Map<string, string>();
  await Promise.all(
    batchesOf(requests).map(async ({ window, batch }) => {
      try {
        const averages = await readBatch(ctx, batch, window, now);
        batch.forEach((s, i) => {
          const v = averages[i];
          if (v !== undefined) values.set(s.request.key, [...(values.get(s.request.key) ?? []), v]);
        });
      } catch (err) {
        const e = err as { name?: string; message?: string };
        for (const s of batch) errors.set(s.request.key, `${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
      }
    }),
  );
  return new Map(
    requests.map((r) => {
      const error = errors.get(r.key);
      return [r.key, error !== undefined ? { error } : { value: mean(values.get(r.key) ?? []) }];
    }),
  );
}
