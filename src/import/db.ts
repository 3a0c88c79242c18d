import { DescribeDBInstancesCommand } from '@aws-sdk/client-rds';
import type { Aws } from '../aws/clients.js';
import { ALLOW_DESTRUCTIVE_TAG } from '../engine/tags.js';
import { ANNOTATIONS } from '../schema/index.js';
import { toLive } from '../reconcilers/db-instance/observe.js';
import type { LiveDbInstance } from '../reconcilers/db-instance/live.js';
import { manifest, type Draft } from './manifest.js';
import type { Names } from './names.js';
import type { ImportSelection } from './index.js';

/** A DbInstance for each identifier, with its read replicas as a fixed count. */
/** What AWS cannot say about a password it does not manage: which secret holds it. Validation fails until it is filled in. */
export const UNKNOWN_SECRET = 'arn:aws:secretsmanager:REGION:ACCOUNT:secret:FILL-IN-the-secret-holding-the-master-password';

export async function importDbs(aws: Aws, ids: string[], selection: Pick<ImportSelection, 'controllerId' | 'masterPasswordSecret'>, names: Names): Promise<Map<string, Draft>> {
  const out = new Map<string, Draft>();
  for (const id of ids) {
    const [primary] = (await aws.rds.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }))).DBInstances ?? [];
    if (!primary) continue;
    const replicaIds = primary.ReadReplicaDBInstanceIdentifiers ?? [];
    const replicas = replicaIds.length > 0 ? ((await aws.rds.send(new DescribeDBInstancesCommand({ Filters: [{ Name: 'db-instance-id', Values: replicaIds }] }))).DBInstances ?? []) : [];
    const live = toLive(primary, replicas, selection.controllerId);
    await names.load([], live.securityGroups);
    const draft = manifest('DbInstance', live.identifier, dbSpec(live, names, selection.masterPasswordSecret));
    if (live.tags[ALLOW_DESTRUCTIVE_TAG] === 'true') draft.metadata.annotations[ANNOTATIONS.allowDestructive] = 'true';
    out.set(live.identifier, draft);
  }
  return out;
}

function dbSpec(db: LiveDbInstance, names: Names, secret: ImportSelection['masterPasswordSecret']): Record<string, unknown> {
  const s = db.storage;
  const replicaClasses = new Set(db.replicas.map((r) => r.instanceClass));
  const replicaClass = replicaClasses.size === 1 ? [...replicaClasses][0] : undefined;
  return {
    engine: db.engine,
    engineVersion: db.engineVersion,
    instanceClass: db.instanceClass,
    storage: {
      allocatedGiB: s.allocatedGiB,
      ...(s.maxAllocatedGiB ? { maxAllocatedGiB: s.maxAllocatedGiB } : {}),
      type: s.type,
      ...(s.iops ? { iops: s.iops } : {}),
      // The schema defaults encryption on; an unencrypted DB must say so.
      encrypted: s.encrypted,
    },
    ...(db.multiAZ ? { multiAZ: true } : {}),
    masterUsername: db.masterUsername,
    masterPassword: db.manageMasterUserPassword
      ? { managedByRds: true, ...(db.masterUserSecretKmsKeyId ? { kmsKey: db.masterUserSecretKmsKeyId } : {}) }
      : (secret ?? { secretArn: UNKNOWN_SECRET }),
    backup: { retentionDays: db.backup.retentionDays, window: db.backup.window },
    maintenanceWindow: db.maintenanceWindow,
    // The schema defaults deletion protection on; an unprotected DB must say so.
    deletionProtection: db.deletionProtection,
    ...(db.performanceInsights?.enabled ? { performanceInsights: { enabled: true, retentionDays: db.performanceInsights.retentionDays } } : {}),
    ...(db.parameterGroup && !db.parameterGroup.startsWith('default.') ? { parameterGroup: db.parameterGroup } : {}),
    ...(db.subnetGroup ? { subnetGroup: db.subnetGroup } : {}),
    securityGroups: db.securityGroups.map(names.securityGroup),
    ...(db.publiclyAccessible ? { publiclyAccessible: true } : {}),
    ...(db.replicas.length > 0
      ? { readReplicas: { count: db.replicas.length, ...(replicaClass && replicaClass !== db.instanceClass ? { instanceClass: replicaClass } : {}) } }
      : {}),
  };
}
