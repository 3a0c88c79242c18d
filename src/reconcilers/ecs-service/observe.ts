import { DescribeServicesCommand, DescribeTaskDefinitionCommand, type Service, type TaskDefinition } from '@aws-sdk/client-ecs';
import { GetResourcesCommand } from '@aws-sdk/client-resource-groups-tagging-api';
import type { EcsService } from '../../schema/index.js';
import type { Observation, ObserveContext, ResourceError } from '../../engine/types.js';
import { MANAGED_BY_TAG, MANIFEST_TAG } from '../../engine/tags.js';
import { arnName } from '../../diff/compare.js';
import { errorOf } from '../../observe/index.js';
import { clusterOfServiceArn, toLive, type LiveEcsService } from './live.js';
import { chunks } from '../../aws/batch.js';

/** DescribeServices takes at most 10 services, all in one cluster. */
const SERVICE_BATCH = 10;
/** Values per tag filter in GetResources. */
const TAG_VALUE_BATCH = 20;

type Found = Map<string, Service>;
type Result = Map<string, Observation<LiveEcsService>>;

/**
 * DescribeServices (tags inline) per cluster in batches of 10, then each distinct task definition revision once per
 * process. A service missing from its stated cluster is looked for, by its ownership tags, in other clusters: a
 * manifest that changed its cluster must be seen as a move, not as a second service.
 */
export async function observe(manifests: EcsService[], ctx: ObserveContext): Promise<Result> {
  const result: Result = new Map();
  const found: Found = new Map();
  await Promise.all(
    batches(manifests.map((m) => ({ cluster: m.spec.cluster, name: m.metadata.name }))).map((batch) => describeBatch(ctx, batch, found, result)),
  );
  const missing = manifests.map((m) => m.metadata.name).filter((n) => !found.has(n) && !result.has(n));
  if (missing.length > 0) await findMoved(ctx, missing, found, result);

  const tasks = new Map<string, Promise<TaskDefinition>>();
  for (const service of found.values()) {
    const ref = service.taskDefinition ?? '';
    if (!tasks.has(ref)) tasks.set(ref, readTaskDefinition(ctx, ref));
  }
  await Promise.all(
    [...found].map(async ([name, service]) => {
      try {
        const task = await tasks.get(service.taskDefinition ?? '')!;
        result.set(name, { state: 'found', live: toLive(service, task), owned: isOwned(service, ctx) });
      } catch (err) {
        result.set(name, { state: 'error', error: errorOf(err) });
      }
    }),
  );
  for (const name of missing) if (!result.has(name)) result.set(name, { state: 'missing' });
  return result;
}

interface Batch {
  cluster: string;
  names: string[];
}

function batches(services: { cluster: string; name: string }[]): Batch[] {
  const byCluster = new Map<string, string[]>();
  for (const s of services) byCluster.set(s.cluster, [...(byCluster.get(s.cluster) ?? []), s.name]);
  const out: Batch[] = [];
  for (const [cluster, names] of byCluster) {
    for (const batch of chunks(names, SERVICE_BATCH)) out.push({ cluster, names: batch });
  }
  return out;
}

/** Active services go to `found`; a MISSING failure or an INACTIVE (deleted) service leaves the name unset. */
async function describeBatch(ctx: ObserveContext, batch: Batch, found: Found, result: Result): Promise<void> {
  try {
    const out = await ctx.limit('ecs', () =>
      ctx.aws.ecs.send(new DescribeServicesCommand({ cluster: batch.cluster, services: batch.names, include: ['TAGS'] })),
    );
    for (const s of out.services ?? []) if (s.serviceName && s.status !== 'INACTIVE') found.set(s.serviceName, s);
    for (const f of out.failures ?? []) {
      if (f.reason === 'MISSING' || !f.arn) continue;
      const error: ResourceError = { code: f.reason ?? 'Failure', message: `${f.arn}: ${f.detail ?? f.reason}`, terminal: false };
      result.set(arnName(f.arn), { state: 'error', error });
    }
  } catch (err) {
    const error = errorOf(err);
    for (const name of batch.names) result.set(name, { state: 'error', error });
  }
}

/** Services this controller owns under these manifests' names, in any cluster (one tagging read per 20 names). */
async function findMoved(ctx: ObserveContext, names: string[], found: Found, result: Result): Promise<void> {
  const owned: { cluster: string; name: string }[] = [];
  try {
    for (const batch of chunks(names, TAG_VALUE_BATCH)) {
      const keys = batch.map((n) => `EcsService/${n}`);
      let PaginationToken: string | undefined;
      do {
        const out = await ctx.limit('tagging', () =>
          ctx.aws.tagging.send(
            new GetResourcesCommand({
              TagFilters: [
                { Key: MANAGED_BY_TAG, Values: [ctx.controllerId] },
                { Key: MANIFEST_TAG, Values: keys },
              ],
              ResourceTypeFilters: ['ecs:service'],
              PaginationToken,
            }),
          ),
        );
        for (const r of out.ResourceTagMappingList ?? []) {
          if (r.ResourceARN) owned.push({ cluster: clusterOfServiceArn(r.ResourceARN), name: arnName(r.ResourceARN) });
        }
        PaginationToken = out.PaginationToken || undefined;
      } while (PaginationToken);
    }
  } catch (err) {
    // Without this read a moved service would look missing and be created twice: report instead.
    const error = errorOf(err);
    for (const name of names) result.set(name, { state: 'error', error });
    return;
  }
  // Deleted services keep their tags for a while; describeBatch drops them as INACTIVE.
  await Promise.all(batches(owned).map((b) => describeBatch(ctx, b, found, result)));
}

/** Revisions are immutable, so one read per ARN per process; a bare family name (no revision) is read every time. */
function readTaskDefinition(ctx: ObserveContext, ref: string): Promise<TaskDefinition> {
  const read = () =>
    ctx.limit('ecs', async () => {
      const out = await ctx.aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: ref }));
      if (!out.taskDefinition) throw new Error(`task definition ${ref} not returned`);
      return out.taskDefinition;
    });
  return /^arn:.*:task-definition\/.+:\d+$/.test(ref) ? ctx.memo(`taskdef:${ref}`, read) : read();
}

function isOwned(service: Service, ctx: ObserveContext): boolean {
  return (service.tags ?? []).some((t) => t.key === MANAGED_BY_TAG && t.value === ctx.controllerId);
}
