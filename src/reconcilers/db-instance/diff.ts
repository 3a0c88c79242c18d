import type { DbInstance } from '../../schema/index.js';
import type { Context, FieldChange } from '../../engine/types.js';
import { Changes, arnName, sameValue, versionMatches } from '../../diff/compare.js';
import type { LiveDbInstance, LiveReplica } from './observe.js';

export const REPLICA_COUNT = 'spec.readReplicas.count';

const REPLACE = (what: string) => `${what} cannot be changed in place: it needs a new instance (replacement)`;

/**
 * The replica count to hold without a scaler's decision: a fixed count, or the floor of a min/max range (creating,
 * or when no decision was observed). Undefined when the manifest does not manage replicas.
 */
export function desiredReplicaCount(spec: DbInstance['spec']): number | undefined {
  const r = spec.readReplicas;
  return r && (r.count ?? r.min ?? 0);
}

/** Replicas Ballast counts and may delete: its own, named `<identifier>-replica-<n>`, not already going away. */
export function managedReplicas(live: LiveDbInstance): LiveReplica[] {
  return live.replicas.filter((r) => r.owned && r.index !== undefined && r.status !== 'deleting');
}

const destructiveIf = (cond: boolean, reason: string): Partial<FieldChange> => (cond ? { destructive: reason } : {});
const lowered = (live: number | undefined, desired: number) => live !== undefined && desired < live;
const turnedOff = (live: boolean, desired: boolean | undefined) => live && desired === false;
const sameText = (live: string | undefined, desired: string) => live?.toLowerCase() === desired.toLowerCase();
/** A key id matches its key ARN (aliases cannot be matched without a KMS read: state an id or ARN). */
const sameKey = (live: string | undefined, desired: string) => live === desired || (live !== undefined && arnName(live) === desired);

/** A change RDS already holds for the maintenance window is shown as pending: never sent again, nothing to refuse. */
function markPending(change: FieldChange, pending: Record<string, unknown>): FieldChange {
  if (!Object.hasOwn(pending, change.path)) return change;
  const value = pending[change.path];
  const matches =
    change.path === 'spec.engineVersion'
      ? versionMatches(String(change.desired), String(value))
      : sameValue(value, change.desired);
  if (!matches) return change;
  return { path: change.path, live: change.live, desired: change.desired, pending: true };
}

const RESTORABLE_TIME = 'status.latestRestorableTime';

/**
 * Backups are only worth what they can restore: the latest restorable time (or, before the first backup, the
 * creation time) must lie within the RPO budget of the moment of the read. No call makes RDS catch up, so a breach
 * is reported, never sent; turning backups back on is the retention change, reported on its own.
 */
function restorableTime(s: DbInstance['spec'], live: LiveDbInstance, c: Changes): void {
  const budget = s.backup.rpoBudgetMinutes;
  const since = live.latestRestorableTime ?? live.createdAt;
  if (budget === undefined || since === undefined) return;
  const lagMinutes = (Date.parse(live.observedAt) - Date.parse(since)) / 60_000;
  if (lagMinutes <= budget) return;
  const why =
    live.backup.retentionDays === 0
      ? 'automated backups are off'
      : `RDS has no restorable point for ${Math.floor(lagMinutes)} minutes: check the instance's backups and events`;
  c.field(RESTORABLE_TIME, live.latestRestorableTime, `within ${budget} minutes`, { unfixable: why });
}

/** Stated fields only. Replicas that follow traffic take the count observe decided, as a scaling change. */
export function diffDbInstance(desired: DbInstance, live: LiveDbInstance, ctx: Context): FieldChange[] {
  const s = desired.spec;
  const c = new Changes();
  c.field('spec.engine', live.engine, s.engine, { destructive: REPLACE('the engine') });
  if (!versionMatches(s.engineVersion, live.engineVersion)) c.field('spec.engineVersion', live.engineVersion, s.engineVersion);
  c.field('spec.instanceClass', live.instanceClass, s.instanceClass);

  const st = s.storage;
  const ls = live.storage;
  c.field(
    'spec.storage.allocatedGiB',
    ls.allocatedGiB,
    st.allocatedGiB,
    destructiveIf(lowered(ls.allocatedGiB, st.allocatedGiB), 'allocated storage cannot shrink in place: it needs a new instance'),
  );
  c.field('spec.storage.maxAllocatedGiB', ls.maxAllocatedGiB, st.maxAllocatedGiB);
  c.field('spec.storage.type', ls.type, st.type);
  c.field('spec.storage.iops', ls.iops, st.iops);
  c.field('spec.storage.encrypted', ls.encrypted, st.encrypted, { destructive: REPLACE('encryption at rest') });
  if (st.kmsKeyId !== undefined && !sameKey(ls.kmsKeyId, st.kmsKeyId)) {
    c.field('spec.storage.kmsKeyId', ls.kmsKeyId, st.kmsKeyId, { destructive: REPLACE('the storage KMS key') });
  }

  c.field(
    'spec.multiAZ',
    live.multiAZ,
    s.multiAZ,
    destructiveIf(turnedOff(live.multiAZ, s.multiAZ), 'turning off Multi-AZ removes the standby and automatic failover'),
  );
  c.field('spec.masterUsername', live.masterUsername, s.masterUsername, { destructive: REPLACE('the master username') });
  c.field('spec.manageMasterUserPassword', live.manageMasterUserPassword, s.manageMasterUserPassword);
  // The secret's key only means something once RDS manages the password (turning that on sends the key too).
  if (live.manageMasterUserPassword && s.masterUserSecretKmsKeyId !== undefined && !sameKey(live.masterUserSecretKmsKeyId, s.masterUserSecretKmsKeyId)) {
    c.field('spec.masterUserSecretKmsKeyId', live.masterUserSecretKmsKeyId, s.masterUserSecretKmsKeyId);
  }

  c.field(
    'spec.backup.retentionDays',
    live.backup.retentionDays,
    s.backup.retentionDays,
    destructiveIf(
      lowered(live.backup.retentionDays, s.backup.retentionDays),
      `lowering backup retention deletes automated backups older than ${s.backup.retentionDays} days`,
    ),
  );
  if (!sameText(live.backup.window, s.backup.window)) c.field('spec.backup.window', live.backup.window, s.backup.window);
  restorableTime(s, live, c);
  if (!sameText(live.maintenanceWindow, s.maintenanceWindow)) c.field('spec.maintenanceWindow', live.maintenanceWindow, s.maintenanceWindow);
  c.field(
    'spec.deletionProtection',
    live.deletionProtection,
    s.deletionProtection,
    destructiveIf(turnedOff(live.deletionProtection, s.deletionProtection), 'turning off deletion protection lets the instance be deleted'),
  );

  // Not every API answer reports Performance Insights (the emulator never does): unknown is not drift.
  const pi = s.performanceInsights;
  if (pi && live.performanceInsights) {
    c.field('spec.performanceInsights.enabled', live.performanceInsights.enabled, pi.enabled);
    if (pi.enabled) c.field('spec.performanceInsights.retentionDays', live.performanceInsights.retentionDays, pi.retentionDays);
  }

  c.field('spec.parameterGroup', live.parameterGroup, s.parameterGroup);
  c.field('spec.subnetGroup', live.subnetGroup, s.subnetGroup);
  c.set('spec.securityGroups', live.securityGroups, s.securityGroups?.map((g) => ctx.refs.require('securityGroup', g)));
  c.field('spec.publiclyAccessible', live.publiclyAccessible, s.publiclyAccessible);
  const decision = live.replicaDecision;
  c.field(
    REPLICA_COUNT,
    managedReplicas(live).length,
    decision?.desired ?? desiredReplicaCount(s),
    decision && { scaling: true, reason: decision.reason },
  );
  return c.list.map((change) => markPending(change, live.pending));
}
