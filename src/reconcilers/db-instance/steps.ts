import type {
  CreateDBInstanceCommandInput,
  CreateDBInstanceReadReplicaCommandInput,
  DeleteDBInstanceCommandInput,
  ModifyDBInstanceCommandInput,
} from '@aws-sdk/client-rds';
import type { DbInstance } from '../../schema/index.js';
import type { AwsCall, Context, FieldChange, Step } from '../../engine/types.js';
import { asKeyValue, ownershipTags } from '../../engine/tags.js';
import { REPLICA_COUNT, TAGS, desiredReplicaCount, majorVersion, replicaClassPath, replicaTagsPath } from './diff.js';
import { managedReplicas, surplusReplicas, type LiveDbInstance, type LiveReplica } from './live.js';
import { identifierOf, identifierOfArn, replicaId, replicaIndex } from './observe.js';
import { REPLICAS_TAG, SCALED_IN_TAG, SCALED_OUT_TAG } from './replica-scaling.js';
import { MANAGED_BY_RDS, MASTER_PASSWORD, PASSWORD_VERSION_TAG, ownSecret } from './master-password.js';
import { secretValue, secretVersionId, type SecretRef } from '../../secrets/ref.js';

type Input = Record<string, unknown>;
/** The password goes as a reference to the secret, resolved only when the call is sent. */
type ModifyFields = Omit<ModifyDBInstanceCommandInput, 'DBInstanceIdentifier' | 'MasterUserPassword'> & { MasterUserPassword?: SecretRef };

/** Drops unset keys so a planned call shows only what it sends. */
const defined = (input: Input): Input => Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));

const rds = (operation: string, input: Input): AwsCall => ({ service: 'rds', operation, input: defined(input) });

const securityGroupIds = (m: DbInstance, ctx: Context) => m.spec.securityGroups?.map((g) => ctx.refs.require('securityGroup', g));

const performanceInsights = (m: DbInstance) => {
  const pi = m.spec.performanceInsights;
  return { EnablePerformanceInsights: pi?.enabled, PerformanceInsightsRetentionPeriod: pi?.enabled ? pi.retentionDays : undefined };
};

/**
 * RDS keeps the password in Secrets Manager, or it comes from the team's secret: then the call carries a reference,
 * read only as the call is sent (see src/secrets), and the version it read is recorded as a tag.
 */
function masterPasswordFields(m: DbInstance): Input {
  const secret = ownSecret(m);
  if (secret) return { MasterUserPassword: secretValue(secret.secretArn, secret.key) };
  const p = m.spec.masterPassword;
  return { ManageMasterUserPassword: true, MasterUserSecretKmsKeyId: 'kmsKey' in p ? p.kmsKey : undefined };
}

function passwordVersionTag(m: DbInstance): { Key: string; Value: unknown }[] {
  const secret = ownSecret(m);
  return secret ? [{ Key: PASSWORD_VERSION_TAG, Value: secretVersionId(secret.secretArn, secret.key) }] : [];
}

function createPrimary(m: DbInstance, ctx: Context): Step {
  const s = m.spec;
  const input = {
    DBInstanceIdentifier: identifierOf(m),
    Engine: s.engine,
    EngineVersion: s.engineVersion,
    DBInstanceClass: s.instanceClass,
    AllocatedStorage: s.storage.allocatedGiB,
    MaxAllocatedStorage: s.storage.maxAllocatedGiB,
    StorageType: s.storage.type,
    Iops: s.storage.iops,
    StorageEncrypted: s.storage.encrypted,
    KmsKeyId: s.storage.kmsKeyId,
    MultiAZ: s.multiAZ,
    MasterUsername: s.masterUsername,
    ...masterPasswordFields(m),
    BackupRetentionPeriod: s.backup.retentionDays,
    PreferredBackupWindow: s.backup.window,
    PreferredMaintenanceWindow: s.maintenanceWindow,
    DeletionProtection: s.deletionProtection,
    ...performanceInsights(m),
    DBParameterGroupName: s.parameterGroup,
    DBSubnetGroupName: s.subnetGroup,
    VpcSecurityGroupIds: securityGroupIds(m, ctx),
    PubliclyAccessible: s.publiclyAccessible ?? false,
    CopyTagsToSnapshot: true,
    Tags: [
      ...asKeyValue({ ...ownershipTags(ctx.controllerId, m), ...(m.spec.readReplicas?.target ? { [REPLICAS_TAG]: String(desiredReplicaCount(m.spec)) } : {}) }),
      ...passwordVersionTag(m),
    ],
  } satisfies Omit<CreateDBInstanceCommandInput, 'MasterUserPassword' | 'Tags'> & Input;
  return {
    part: 'primary',
    op: 'create',
    summary: `create ${s.engine} ${s.engineVersion} instance ${input.DBInstanceIdentifier} (${s.instanceClass})`,
    calls: [rds('CreateDBInstance', input)],
    waitForHealth: true,
  };
}

function createReplica(m: DbInstance, ctx: Context, n: number, after: string[]): Step {
  const s = m.spec;
  const input = {
    DBInstanceIdentifier: replicaId(identifierOf(m), n),
    SourceDBInstanceIdentifier: identifierOf(m),
    DBInstanceClass: s.readReplicas?.instanceClass ?? s.instanceClass,
    MultiAZ: false,
    PubliclyAccessible: false,
    // A replica holds no data of its own and the count must be able to shrink. Stated because the emulator
    // otherwise copies the source's protection.
    DeletionProtection: false,
    ...performanceInsights(m),
    DBSubnetGroupName: s.subnetGroup,
    // Without them a replica gets the VPC's default security group.
    VpcSecurityGroupIds: securityGroupIds(m, ctx),
    Tags: asKeyValue(ownershipTags(ctx.controllerId, m)),
  } satisfies CreateDBInstanceReadReplicaCommandInput;
  return {
    part: `replica-${n}`,
    op: 'create',
    summary: `create read replica ${input.DBInstanceIdentifier} (${input.DBInstanceClass})`,
    calls: [rds('CreateDBInstanceReadReplica', input)],
    ...(after.length > 0 && { after }),
  };
}

function deleteReplica(r: LiveReplica): Step {
  // A replica's data is its source's: no final snapshot.
  const input = { DBInstanceIdentifier: r.identifier, SkipFinalSnapshot: true } satisfies DeleteDBInstanceCommandInput;
  return { part: `replica-${r.index}`, op: 'delete', summary: `delete read replica ${r.identifier}`, calls: [rds('DeleteDBInstance', input)] };
}

/** ModifyDBInstance fields per changed path of the primary. */
const MODIFY: Record<string, (c: FieldChange, m: DbInstance) => ModifyFields> = {
  'spec.instanceClass': (c) => ({ DBInstanceClass: String(c.desired) }),
  'spec.engineVersion': (c, m) => ({
    EngineVersion: String(c.desired),
    // The plan refuses this change unless the manifest carries the major-upgrade annotation.
    ...(majorVersion(m.spec.engine, c.live) !== majorVersion(m.spec.engine, c.desired) && { AllowMajorVersionUpgrade: true }),
  }),
  'spec.storage.allocatedGiB': (_c, m) => ({ AllocatedStorage: m.spec.storage.allocatedGiB }),
  'spec.storage.maxAllocatedGiB': (_c, m) => ({ MaxAllocatedStorage: m.spec.storage.maxAllocatedGiB }),
  // io1/io2 need their IOPS in the same call as the type.
  'spec.storage.type': (_c, m) => ({ StorageType: m.spec.storage.type, Iops: m.spec.storage.iops }),
  'spec.storage.iops': (_c, m) => ({ Iops: m.spec.storage.iops }),
  'spec.multiAZ': (_c, m) => ({ MultiAZ: m.spec.multiAZ }),
  'spec.masterPassword.managedByRds': (_c, m) => masterPasswordFields(m),
  // The version the diff saw is the one read and recorded: a rotation meanwhile is the next reconcile's change.
  [MASTER_PASSWORD]: (c, m) => {
    const secret = ownSecret(m)!;
    return {
      MasterUserPassword: secretValue(secret.secretArn, secret.key, String(c.desired)),
      ...(c.live === MANAGED_BY_RDS && { ManageMasterUserPassword: false }),
    };
  },
  'spec.backup.retentionDays': (_c, m) => ({ BackupRetentionPeriod: m.spec.backup.retentionDays }),
  'spec.backup.window': (_c, m) => ({ PreferredBackupWindow: m.spec.backup.window }),
  'spec.maintenanceWindow': (_c, m) => ({ PreferredMaintenanceWindow: m.spec.maintenanceWindow }),
  'spec.deletionProtection': (_c, m) => ({ DeletionProtection: m.spec.deletionProtection }),
  'spec.performanceInsights.enabled': (_c, m) => performanceInsights(m),
  'spec.performanceInsights.retentionDays': (_c, m) => performanceInsights(m),
  'spec.parameterGroup': (_c, m) => ({ DBParameterGroupName: m.spec.parameterGroup }),
  'spec.subnetGroup': (_c, m) => ({ DBSubnetGroupName: m.spec.subnetGroup }),
  // The diff resolved the refs already: its desired side is the group ids.
  'spec.securityGroups': (c) => ({ VpcSecurityGroupIds: c.desired as string[] }),
  'spec.publiclyAccessible': (_c, m) => ({ PubliclyAccessible: m.spec.publiclyAccessible }),
};

const when = (applyImmediately: boolean) => (applyImmediately ? 'now' : 'in the next maintenance window');

/**
 * Sets Ballast's own tags from a tags change (all of them: RDS tagging is allowed in requests that carry the
 * ownership tag) and removes those the manifest no longer implies, such as a withdrawn destructive opt-in.
 */
function retag(ResourceName: string, change: FieldChange | undefined): AwsCall[] {
  if (!change) return [];
  const have = change.live as Record<string, string>;
  const wanted = change.desired as Record<string, string>;
  const drop = Object.keys(have).filter((k) => !(k in wanted));
  return [
    ...(Object.entries(wanted).some(([k, v]) => have[k] !== v) ? [rds('AddTagsToResource', { ResourceName, Tags: asKeyValue(wanted) })] : []),
    ...(drop.length > 0 ? [rds('RemoveTagsFromResource', { ResourceName, TagKeys: drop })] : []),
  ];
}

/** One ModifyDBInstance with every in-place change of the primary, and its retagging. */
function updatePrimary(m: DbInstance, live: LiveDbInstance, changes: FieldChange[], ctx: Context): Step | undefined {
  const modified = changes.filter((c) => MODIFY[c.path]);
  const password = changes.find((c) => c.path === MASTER_PASSWORD);
  const tags = [
    ...retag(live.arn, changes.find((c) => c.path === TAGS)),
    // Ownership tags go along: the IAM policy lets Ballast tag RDS instances only in requests that carry them.
    ...(password ? [rds('AddTagsToResource', { ResourceName: live.arn, Tags: asKeyValue({ ...ownershipTags(ctx.controllerId, m), [PASSWORD_VERSION_TAG]: String(password.desired) }) })] : []),
  ];
  if (modified.length === 0 && tags.length === 0) return undefined;
  const applyImmediately = m.spec.applyImmediately ?? false;
  const fields: ModifyFields = Object.assign({}, ...modified.map((c) => MODIFY[c.path]?.(c, m)));
  const summary = [
    modified.length > 0 && `modify ${live.identifier}: ${modified.map((c) => c.path.replace(/^spec\./, '')).join(', ')} ${when(applyImmediately)}`,
    tags.length > 0 && `retag ${live.identifier}`,
  ].filter(Boolean);
  const modify = modified.length > 0 ? [rds('ModifyDBInstance', { DBInstanceIdentifier: live.identifier, ...fields, ApplyImmediately: applyImmediately })] : [];
  return { part: 'primary', op: 'update', summary: summary.join('; '), calls: [...modify, ...tags], waitForHealth: true };
}

/** A replica that stays, moved to the replica class and retagged as its changes say. */
function updateReplica(m: DbInstance, r: LiveReplica, changes: FieldChange[]): Step | undefined {
  const resize = changes.find((c) => c.path === replicaClassPath(r.identifier));
  const tags = retag(r.arn, changes.find((c) => c.path === replicaTagsPath(r.identifier)));
  if (!resize && tags.length === 0) return undefined;
  const applyImmediately = m.spec.applyImmediately ?? false;
  const modify = resize
    ? [rds('ModifyDBInstance', { DBInstanceIdentifier: r.identifier, DBInstanceClass: String(resize.desired), ApplyImmediately: applyImmediately })]
    : [];
  const summary = [resize && `modify read replica ${r.identifier}: instanceClass ${when(applyImmediately)}`, tags.length > 0 && `retag ${r.identifier}`];
  return { part: `replica-${r.index}`, op: 'update', summary: summary.filter(Boolean).join('; '), calls: [...modify, ...tags] };
}

/**
 * A count change stamps the primary, once, with the last step: the count Ballast leaves, and for a scaler's change
 * the time of the read it decided on, so the next reconcile (in this process or another) knows the cooldown has
 * started. The ownership tags go along unchanged: the IAM policy lets Ballast tag RDS instances only in requests
 * that carry them.
 */
function recordCount(steps: Step[], m: DbInstance, live: LiveDbInstance, change: FieldChange, ctx: Context): Step[] {
  const out = Number(change.desired) > managedReplicas(live).length;
  const cooldown = change.scaling ? { [out ? SCALED_OUT_TAG : SCALED_IN_TAG]: live.observedAt } : {};
  const Tags = asKeyValue({ ...ownershipTags(ctx.controllerId, m), [REPLICAS_TAG]: String(change.desired), ...cooldown });
  const stamp = rds('AddTagsToResource', { ResourceName: live.arn, Tags });
  const last = steps.length - 1;
  const why = change.reason ? `; ${change.reason}` : '';
  return steps.map((s, i) => ({ ...s, summary: `${s.summary}${why}`, calls: i === last ? [...s.calls, stamp] : s.calls }));
}

/** Missing replicas take the lowest free indexes; surplus ones go highest index first, only Ballast's own. */
function replicaSteps(m: DbInstance, live: LiveDbInstance, count: number, ctx: Context, after: string[]): Step[] {
  const surplus = surplusReplicas(live, count);
  if (surplus.length > 0) return surplus.map(deleteReplica);
  // Every existing name is taken, owned or not, including replicas still being deleted.
  const taken = new Set(live.replicas.map((r) => r.index));
  const steps: Step[] = [];
  for (let n = 1; steps.length < count - managedReplicas(live).length; n++) if (!taken.has(n)) steps.push(createReplica(m, ctx, n, after));
  return steps;
}

export function planSteps(desired: DbInstance, live: LiveDbInstance | undefined, changes: FieldChange[], ctx: Context): Step[] {
  if (!live) {
    const replicas = desiredReplicaCount(desired.spec) ?? 0;
    return [createPrimary(desired, ctx), ...Array.from({ length: replicas }, (_, i) => createReplica(desired, ctx, i + 1, ['primary']))];
  }
  // Pending changes are queued at AWS already; unfixable ones have no call.
  const todo = changes.filter((c) => !c.pending && !c.unfixable);
  const primary = updatePrimary(desired, live, todo, ctx);
  const count = todo.find((c) => c.path === REPLICA_COUNT);
  const scaling = count ? replicaSteps(desired, live, Number(count.desired), ctx, primary ? ['primary'] : []) : [];
  // Replicas that follow traffic record every count change (a vanished replica then shows); only a scaler's starts a cooldown.
  const record = count && desired.spec.readReplicas?.target && (count.scaling || live.tags[REPLICAS_TAG] !== String(count.desired));
  const counted = record ? recordCount(scaling, desired, live, count, ctx) : scaling;
  // The diff reports class and tag changes only for the replicas that stay.
  const updated = managedReplicas(live).flatMap((r) => updateReplica(desired, r, todo) ?? []);
  return [...(primary ? [primary] : []), ...counted, ...updated];
}

/** Deterministic (no timestamp) so `plan` and `apply` agree; pruning the same name again fails on the existing snapshot instead of replacing it. */
export const finalSnapshotId = (identifier: string): string => `${identifier}-final-ballast`;

/**
 * Prune. A primary loses its deletion protection, then is deleted keeping a final snapshot and its automated
 * backups: a DB prune never loses data. A replica (`<name>-replica-<n>`) holds only its source's data.
 */
export function deleteSteps(name: string, arn: string): Step[] {
  const id = identifierOfArn(arn);
  if (replicaIndex(name, id) !== undefined) {
    return [{ op: 'delete', summary: `delete read replica ${id}`, calls: [rds('DeleteDBInstance', { DBInstanceIdentifier: id, SkipFinalSnapshot: true })] }];
  }
  const unprotect = { DBInstanceIdentifier: id, DeletionProtection: false, ApplyImmediately: true } satisfies ModifyDBInstanceCommandInput;
  const remove = {
    DBInstanceIdentifier: id,
    SkipFinalSnapshot: false,
    FinalDBSnapshotIdentifier: finalSnapshotId(id),
    DeleteAutomatedBackups: false,
  } satisfies DeleteDBInstanceCommandInput;
  return [
    {
      op: 'delete',
      summary: `delete ${id}, keeping final snapshot ${remove.FinalDBSnapshotIdentifier} and its automated backups`,
      calls: [rds('ModifyDBInstance', unprotect), rds('DeleteDBInstance', remove)],
    },
  ];
}
