import { ANNOTATIONS, type DbInstance } from '../../schema/index.js';
import type { Context, FieldChange } from '../../engine/types.js';
import { MANAGED_BY_TAG, ownershipSubset, ownershipTags } from '../../engine/tags.js';
import { Changes, arnName, sameValue, versionMatches } from '../../diff/compare.js';
import { managedReplicas, surplusReplicas, type LiveDbInstance, type LiveReplica } from './live.js';
import { ownSecretChange } from './master-password.js';

export const REPLICA_COUNT = 'spec.readReplicas.count';
/** Ballast's own tags on the primary; on a replica, `tags[<replica>]`. */
export const TAGS = 'tags';
export const replicaTagsPath = (replica: string): string => `${TAGS}[${replica}]`;
export const replicaClassPath = (replica: string): string => `spec.readReplicas[${replica}].instanceClass`;

/** What a person does instead of an in-place change RDS cannot make. */
const MOVE_DATA = 'move the data over and switch the applications to it, then delete the old one';
const UNFIXABLE = {
  engine: (engine: string) => `RDS cannot change an instance's engine: create a new ${engine} instance, ${MOVE_DATA} (dump and load, or AWS DMS); or state the live engine`,
  encrypt: `RDS cannot encrypt an existing instance: snapshot it, copy the snapshot with encryption on, restore a new instance from the copy, ${MOVE_DATA}`,
  decrypt: `RDS cannot decrypt an instance or its snapshots: create a new unencrypted instance, ${MOVE_DATA} (dump and load); or state encrypted: true`,
  kmsKey: `RDS cannot change the storage KMS key in place: snapshot the instance, copy the snapshot with the new key, restore a new instance from the copy, ${MOVE_DATA}`,
  masterUsername: `RDS cannot rename the master user, not even through a snapshot restore: create a new instance with the new name, ${MOVE_DATA} (dump and load); or state the live name`,
  shrink: (live: number, desired: number) =>
    `RDS cannot shrink allocated storage, and a snapshot restores at least ${live} GiB: create a new ${desired} GiB instance, ${MOVE_DATA} (dump and load); or state ${live} GiB`,
  secretKey:
    'RDS cannot re-encrypt the master user secret it manages: turn off ManageMasterUserPassword on the instance by hand (setting a password), and Ballast turns it back on with the new key; or state the live key',
};

/** The major version: "16" of PostgreSQL 16.3, but "8.0" of MySQL 8.0.35 and "10.11" of MariaDB 10.11.6. */
export const majorVersion = (engine: string, version: unknown) =>
  String(version ?? '')
    .split('.')
    .slice(0, engine === 'postgres' ? 1 : 2)
    .join('.');

/** AllowMajorVersionUpgrade is only ever sent for a manifest that asks for it by name. */
const MAJOR_UPGRADE = {
  annotation: ANNOTATIONS.allowMajorUpgrade,
  reason: 'a major engine version upgrade cannot be rolled back and may break applications',
};

/**
 * The replica count to hold without a scaler's decision: a fixed count, or the floor of a min/max range (creating,
 * or when no decision was observed). Undefined when the manifest does not manage replicas.
 */
export function desiredReplicaCount(spec: DbInstance['spec']): number | undefined {
  const r = spec.readReplicas;
  return r && (r.count ?? r.min ?? 0);
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

/** The value at a dotted path (`spec.storage.type` of the manifest, `storage.type` of the live shape). */
const valueAt = (root: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), root);

/**
 * A change RDS holds for the maintenance window that the manifest no longer wants (it was reverted, or someone
 * queued it by hand) would still land in the window. RDS has no call to withdraw one: a ModifyDBInstance back to
 * the live value replaces it with no change, so that is the change planned.
 */
function cancelledPending(desired: DbInstance, live: LiveDbInstance, changed: FieldChange[]): FieldChange[] {
  return Object.entries(live.pending).flatMap(([path, held]): FieldChange[] => {
    const wanted = valueAt(desired, path);
    const now = valueAt(live, path.replace(/^spec\./, ''));
    if (wanted === undefined || now === undefined || changed.some((c) => c.path === path)) return [];
    const same = (a: unknown) => (path === 'spec.engineVersion' ? versionMatches(String(wanted), String(a)) : sameValue(a, wanted));
    if (!same(now) || same(held)) return [];
    return [{ path, live: held, desired: now, reason: `RDS holds ${JSON.stringify(held)} for the maintenance window: asking for the live value cancels it` }];
  });
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

/**
 * Ballast's own tags follow the manifest on the primary and on the replicas that stay: prune reads the destructive
 * opt-in from them once the manifest is gone. Other tags are someone else's; an instance not yet owned is
 * adoption's business.
 */
function ownershipTagChanges(desired: DbInstance, live: LiveDbInstance, kept: LiveReplica[], ctx: Context, c: Changes): void {
  const wanted = ownershipTags(ctx.controllerId, desired);
  if (live.tags[MANAGED_BY_TAG] === ctx.controllerId) c.field(TAGS, ownershipSubset(live.tags), wanted);
  for (const r of kept) c.field(replicaTagsPath(r.identifier), ownershipSubset(r.tags), wanted);
}

/** Each replica that stays runs the replica class (the primary's unless stated); one RDS holds for later is pending. */
function replicaClassChanges(s: DbInstance['spec'], kept: LiveReplica[], c: Changes): void {
  const wanted = s.readReplicas && (s.readReplicas.instanceClass ?? s.instanceClass);
  for (const r of kept) {
    c.field(replicaClassPath(r.identifier), r.instanceClass, wanted, r.pendingInstanceClass === wanted ? { pending: true } : {});
  }
}

/**
 * A count the scaler moved is a decision; a count back to what Ballast last left after replicas vanished is drift
 * (deleted by hand), put back without a cooldown stamp.
 */
function replicaCountMarks(live: LiveDbInstance, decision: { desired: number; reason: string }): Partial<FieldChange> {
  const have = managedReplicas(live).length;
  const lost = (live.recordedReplicas ?? 0) - have;
  if (lost > 0 && decision.desired === live.recordedReplicas) {
    return { reason: `${lost} read replica${lost === 1 ? '' : 's'} deleted by hand; Ballast last left ${live.recordedReplicas}` };
  }
  return { scaling: true, reason: decision.reason };
}

/** Stated fields only. Replicas that follow traffic take the count observe decided, as a scaling change. */
export function diffDbInstance(desired: DbInstance, live: LiveDbInstance, ctx: Context): FieldChange[] {
  const s = desired.spec;
  const c = new Changes();
  c.field('spec.engine', live.engine, s.engine, { unfixable: UNFIXABLE.engine(s.engine) });
  if (!versionMatches(s.engineVersion, live.engineVersion)) {
    const majorUpgrade = majorVersion(s.engine, live.engineVersion) !== majorVersion(s.engine, s.engineVersion);
    c.field('spec.engineVersion', live.engineVersion, s.engineVersion, majorUpgrade ? { optIn: MAJOR_UPGRADE } : {});
  }
  c.field('spec.instanceClass', live.instanceClass, s.instanceClass);

  const st = s.storage;
  const ls = live.storage;
  const size = ls.allocatedGiB;
  c.field('spec.storage.allocatedGiB', size, st.allocatedGiB, size !== undefined && lowered(size, st.allocatedGiB) ? { unfixable: UNFIXABLE.shrink(size, st.allocatedGiB) } : {});
  c.field('spec.storage.maxAllocatedGiB', ls.maxAllocatedGiB, st.maxAllocatedGiB);
  c.field('spec.storage.type', ls.type, st.type);
  c.field('spec.storage.iops', ls.iops, st.iops);
  c.field('spec.storage.encrypted', ls.encrypted, st.encrypted, { unfixable: ls.encrypted ? UNFIXABLE.decrypt : UNFIXABLE.encrypt });
  if (st.kmsKeyId !== undefined && !sameKey(ls.kmsKeyId, st.kmsKeyId)) {
    c.field('spec.storage.kmsKeyId', ls.kmsKeyId, st.kmsKeyId, { unfixable: UNFIXABLE.kmsKey });
  }

  c.field(
    'spec.multiAZ',
    live.multiAZ,
    s.multiAZ,
    destructiveIf(turnedOff(live.multiAZ, s.multiAZ), 'turning off Multi-AZ removes the standby and automatic failover'),
  );
  c.field('spec.masterUsername', live.masterUsername, s.masterUsername, { unfixable: UNFIXABLE.masterUsername });
  const password = s.masterPassword;
  if ('managedByRds' in password) {
    c.field('spec.masterPassword.managedByRds', live.manageMasterUserPassword, true);
    // The secret's key only means something once RDS manages the password (turning that on sends the key too).
    if (live.manageMasterUserPassword && password.kmsKey !== undefined && !sameKey(live.masterUserSecretKmsKeyId, password.kmsKey)) {
      c.field('spec.masterPassword.kmsKey', live.masterUserSecretKmsKeyId, password.kmsKey, { unfixable: UNFIXABLE.secretKey });
    }
  } else {
    const change = ownSecretChange(live);
    if (change) c.list.push(change);
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
  const count = decision?.desired ?? desiredReplicaCount(s);
  c.field(REPLICA_COUNT, managedReplicas(live).length, count, decision && replicaCountMarks(live, decision));
  // Replicas about to be deleted are left as they are.
  const leaving = new Set(count === undefined ? [] : surplusReplicas(live, count));
  const kept = managedReplicas(live).filter((r) => !leaving.has(r));
  replicaClassChanges(s, kept, c);
  ownershipTagChanges(desired, live, kept, ctx, c);
  return [...c.list.map((change) => markPending(change, live.pending)), ...cancelledPending(desired, live, c.list)];
}
