import { DescribeDBInstancesCommand, type DBInstance, type PendingModifiedValues } from '@aws-sdk/client-rds';
import type { DbInstance } from '../../schema/index.js';
import type { ObserveContext, Observation, ResourceError } from '../../engine/types.js';
import { MANAGED_BY_TAG } from '../../engine/tags.js';
import { errorOf } from '../../observe/index.js';
import { managedReplicas, type LiveDbInstance } from './live.js';
import { readReplicaMetrics, type MetricRequest } from './replica-metrics.js';
import { REPLICAS_TAG, SCALED_IN_TAG, SCALED_OUT_TAG, decideReplicas } from './replica-scaling.js';
import { chunks } from '../../aws/batch.js';
import { ownSecret, secretVersions } from './master-password.js';

/** DescribeDBInstances takes up to 100 filter values and returns up to 100 records a page. */
export const BATCH = 100;

/** The RDS identifier; it equals metadata.name unless spec.identifier says otherwise. */
export const identifierOf = (m: DbInstance): string => m.spec.identifier ?? m.metadata.name;

/** The identifier in an instance ARN, `arn:aws:rds:<region>:<account>:db:<identifier>`. */
export const identifierOfArn = (arn: string): string => arn.slice(arn.indexOf(':db:') + ':db:'.length);

export const replicaId = (identifier: string, n: number): string => `${identifier}-replica-${n}`;

/** n of `<identifier>-replica-<n>`, or undefined when the name does not follow that convention. */
export function replicaIndex(identifier: string, name: string): number | undefined {
  const prefix = `${identifier}-replica-`;
  const rest = name.slice(prefix.length);
  return name.startsWith(prefix) && /^[1-9][0-9]*$/.test(rest) ? Number(rest) : undefined;
}

const PENDING_PATHS: [keyof PendingModifiedValues, string][] = [
  ['DBInstanceClass', 'spec.instanceClass'],
  ['EngineVersion', 'spec.engineVersion'],
  ['AllocatedStorage', 'spec.storage.allocatedGiB'],
  ['StorageType', 'spec.storage.type'],
  ['Iops', 'spec.storage.iops'],
  ['MultiAZ', 'spec.multiAZ'],
  ['BackupRetentionPeriod', 'spec.backup.retentionDays'],
  ['DBSubnetGroupName', 'spec.subnetGroup'],
];

/** Modifications RDS holds for the maintenance window, by the manifest path they will change. */
function pendingByPath(values: PendingModifiedValues | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, path] of PENDING_PATHS) if (values?.[key] !== undefined) out[path] = values[key];
  return out;
}

export const tagsOf = (i: DBInstance): Record<string, string> => Object.fromEntries((i.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
const isOwned = (i: DBInstance, controllerId: string): boolean => tagsOf(i)[MANAGED_BY_TAG] === controllerId;

export function toLive(i: DBInstance, replicas: DBInstance[], controllerId: string, now = new Date()): LiveDbInstance {
  const identifier = i.DBInstanceIdentifier ?? '';
  return {
    identifier,
    arn: i.DBInstanceArn ?? '',
    status: i.DBInstanceStatus ?? 'unknown',
    engine: i.Engine,
    engineVersion: i.EngineVersion,
    instanceClass: i.DBInstanceClass,
    storage: {
      allocatedGiB: i.AllocatedStorage,
      maxAllocatedGiB: i.MaxAllocatedStorage,
      type: i.StorageType,
      iops: i.Iops,
      encrypted: i.StorageEncrypted ?? false,
      kmsKeyId: i.KmsKeyId,
    },
    multiAZ: i.MultiAZ ?? false,
    masterUsername: i.MasterUsername,
    manageMasterUserPassword: i.MasterUserSecret !== undefined,
    masterUserSecretKmsKeyId: i.MasterUserSecret?.KmsKeyId,
    backup: { retentionDays: i.BackupRetentionPeriod, window: i.PreferredBackupWindow },
    latestRestorableTime: i.LatestRestorableTime?.toISOString(),
    createdAt: i.InstanceCreateTime?.toISOString(),
    observedAt: now.toISOString(),
    maintenanceWindow: i.PreferredMaintenanceWindow,
    deletionProtection: i.DeletionProtection ?? false,
    performanceInsights:
      i.PerformanceInsightsEnabled === undefined
        ? undefined
        : { enabled: i.PerformanceInsightsEnabled, retentionDays: i.PerformanceInsightsRetentionPeriod },
    parameterGroup: i.DBParameterGroups?.[0]?.DBParameterGroupName,
    subnetGroup: i.DBSubnetGroup?.DBSubnetGroupName,
    securityGroups: (i.VpcSecurityGroups ?? []).flatMap((g) => (g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [])),
    publiclyAccessible: i.PubliclyAccessible ?? false,
    replicas: replicas.map((r) => ({
      identifier: r.DBInstanceIdentifier ?? '',
      arn: r.DBInstanceArn ?? '',
      index: replicaIndex(identifier, r.DBInstanceIdentifier ?? ''),
      instanceClass: r.DBInstanceClass,
      pendingInstanceClass: r.PendingModifiedValues?.DBInstanceClass,
      status: r.DBInstanceStatus ?? 'unknown',
      owned: isOwned(r, controllerId),
      tags: tagsOf(r),
    })),
    pending: pendingByPath(i.PendingModifiedValues),
    tags: tagsOf(i),
    ...recorded(tagsOf(i)[REPLICAS_TAG]),
  };
}

function recorded(value: string | undefined): { recordedReplicas?: number } {
  return value !== undefined && /^[0-9]+$/.test(value) ? { recordedReplicas: Number(value) } : {};
}

/** All instances whose identifier is in ids (at most 100), following Marker pages. */
export async function describeByIds(ctx: Pick<ObserveContext, 'aws' | 'limit'>, ids: string[]): Promise<DBInstance[]> {
  const out: DBInstance[] = [];
  let Marker: string | undefined;
  do {
    const page = await ctx.limit('rds', () =>
      ctx.aws.rds.send(
        new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: ids }], MaxRecords: BATCH, Marker }),
      ),
    );
    out.push(...(page.DBInstances ?? []));
    Marker = page.Marker;
  } while (Marker);
  return out;
}

type BatchResult = { ids: string[]; found: DBInstance[] } | { ids: string[]; error: ResourceError };

/** One describe per batch of 100 ids; a failed batch is reported for its ids, never thrown. */
async function describeBatches(ctx: ObserveContext, ids: string[]): Promise<BatchResult[]> {
  return Promise.all(
    chunks(ids, BATCH).map(async (batch) => {
      try {
        return { ids: batch, found: await describeByIds(ctx, batch) };
      } catch (err) {
        return { ids: batch, error: errorOf(err) };
      }
    }),
  );
}

/**
 * Reads the primaries (ceil(P/100) calls), then all their replicas together (ceil(R/100) calls): replicas are
 * found through ReadReplicaDBInstanceIdentifiers, so an unowned replica is seen (and left alone) too.
 */
export async function observeDbInstances(
  manifests: DbInstance[],
  ctx: ObserveContext,
): Promise<Map<string, Observation<LiveDbInstance>>> {
  const ids = [...new Set(manifests.map(identifierOf))];
  // Read alongside the instances; a secret that cannot be read fails its DBs before anything is planned.
  const versionsRead = secretVersions(manifests, ctx);
  const primaries = new Map<string, DBInstance>();
  const errors = new Map<string, ResourceError>();
  for (const batch of await describeBatches(ctx, ids)) {
    if ('error' in batch) batch.ids.forEach((id) => errors.set(id, batch.error));
    else for (const i of batch.found) if (i.DBInstanceIdentifier) primaries.set(i.DBInstanceIdentifier, i);
  }

  // Cross-region replicas are listed by ARN and cannot be described in this region.
  const replicaIdsOf = (p: DBInstance) => (p.ReadReplicaDBInstanceIdentifiers ?? []).filter((r) => !r.startsWith('arn:'));
  const replicas = new Map<string, DBInstance>();
  const replicaErrors = new Map<string, ResourceError>();
  for (const batch of await describeBatches(ctx, [...primaries.values()].flatMap(replicaIdsOf))) {
    if ('error' in batch) batch.ids.forEach((id) => replicaErrors.set(id, batch.error));
    else for (const r of batch.found) if (r.DBInstanceIdentifier) replicas.set(r.DBInstanceIdentifier, r);
  }

  const now = new Date();
  const result = new Map<string, Observation<LiveDbInstance>>();
  for (const m of manifests) {
    const id = identifierOf(m);
    const primary = primaries.get(id);
    const replicaError = primary && replicaIdsOf(primary).map((r) => replicaErrors.get(r)).find((e) => e !== undefined);
    const error = errors.get(id) ?? replicaError;
    if (error) result.set(m.metadata.name, { state: 'error', error });
    else if (!primary) result.set(m.metadata.name, { state: 'missing' });
    else {
      const own = replicaIdsOf(primary).flatMap((r) => replicas.get(r) ?? []);
      result.set(m.metadata.name, { state: 'found', live: toLive(primary, own, ctx.controllerId, now), owned: isOwned(primary, ctx.controllerId) });
    }
  }
  addSecretVersions(manifests, result, await versionsRead);
  await decideReplicaCounts(manifests, result, ctx, now);
  return result;
}

function addSecretVersions(manifests: DbInstance[], result: Map<string, Observation<LiveDbInstance>>, versions: Map<string, string | ResourceError>): void {
  for (const m of manifests) {
    const secret = ownSecret(m);
    const version = secret && versions.get(secret.secretArn);
    const o = result.get(m.metadata.name);
    if (version === undefined || o?.state === 'error') continue;
    if (typeof version !== 'string') result.set(m.metadata.name, { state: 'error', error: version });
    else if (o?.state === 'found') o.live.secretVersion = version;
  }
}

const tagTime = (value: string | undefined): Date | undefined => {
  const t = value === undefined ? undefined : new Date(value);
  return t && !Number.isNaN(t.getTime()) ? t : undefined;
};

/**
 * For the DBs whose replicas follow traffic: reads their metric over the window (one GetMetricData for all of them:
 * each owned replica, or the primary when there is none) and decides the count, with the cooldowns read from the
 * primary's tags. A metric that cannot be read holds the count.
 */
async function decideReplicaCounts(manifests: DbInstance[], result: Map<string, Observation<LiveDbInstance>>, ctx: ObserveContext, now: Date) {
  const scaled = manifests.flatMap((m) => {
    const o = result.get(m.metadata.name);
    const replicas = m.spec.readReplicas;
    return o?.state === 'found' && replicas?.target ? [{ name: m.metadata.name, live: o.live, replicas, target: replicas.target }] : [];
  });
  if (scaled.length === 0) return;
  const requests: MetricRequest[] = scaled.map(({ name, live, target }) => {
    const replicas = managedReplicas(live).map((r) => r.identifier);
    return { key: name, metric: target.metric, instances: replicas.length > 0 ? replicas : [live.identifier], windowSeconds: target.windowSeconds ?? 600 };
  });
  const readings = await readReplicaMetrics(ctx, requests, now);
  for (const { name, live, replicas, target } of scaled) {
    const reading = readings.get(name);
    const metricValue = reading && 'value' in reading ? reading.value : undefined;
    const decision = decideReplicas({
      // Replicas deleted by hand still count: putting them back is drift, and the scaler decides from there.
      current: Math.max(managedReplicas(live).length, live.recordedReplicas ?? 0),
      // Validation requires min and max with a target; the schema's bounds stand in otherwise.
      min: replicas.min ?? 0,
      max: replicas.max ?? 15,
      target: target.value,
      metricValue,
      metric: target.metric,
      lastScaleOut: tagTime(live.tags[SCALED_OUT_TAG]),
      lastScaleIn: tagTime(live.tags[SCALED_IN_TAG]),
      now,
      scaleOutCooldownSeconds: replicas.scaleOutCooldown ?? 300,
      scaleInCooldownSeconds: replicas.scaleInCooldown ?? 1800,
    });
    const unread = reading && 'error' in reading ? `cannot read ${target.metric} (${reading.error}); ` : '';
    live.replicaDecision = { desired: decision.desired, reason: `${unread}${decision.reason}`, metricValue };
  }
}
