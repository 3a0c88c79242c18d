import {
  DescribeDBSnapshotsCommand,
  RestoreDBInstanceFromDBSnapshotCommand,
  RestoreDBInstanceToPointInTimeCommand,
  type DBInstance,
  type DBSnapshot,
} from '@aws-sdk/client-rds';
import type { Aws } from '../aws/clients.js';
import { asKeyValue } from '../engine/tags.js';
import type { DrillSpec } from './spec.js';
import type { RestoreMethod } from './types.js';

/** What a drill restores: a snapshot, or (point-in-time) the source's latest restorable time. */
export interface RestorePoint {
  snapshot?: string;
  /** The time of the restored data. */
  time: Date;
}

const SNAPSHOT_TYPE = { 'latest-automated-snapshot': 'automated', 'latest-manual-snapshot': 'manual' } as const;

/** The newest available snapshot of the method's type, or the latest restorable time; undefined when there is none. */
export async function findRestorePoint(aws: Aws, method: RestoreMethod, source: DBInstance): Promise<RestorePoint | undefined> {
  if (method === 'point-in-time') return source.LatestRestorableTime && { time: source.LatestRestorableTime };
  let newest: (DBSnapshot & { SnapshotCreateTime: Date }) | undefined;
  let Marker: string | undefined;
  do {
    const page = await aws.rds.send(
      new DescribeDBSnapshotsCommand({ DBInstanceIdentifier: source.DBInstanceIdentifier, SnapshotType: SNAPSHOT_TYPE[method], MaxRecords: 100, Marker }),
    );
    for (const s of page.DBSnapshots ?? []) {
      // A snapshot still being taken cannot be restored yet.
      if (s.Status !== 'available' || !s.SnapshotCreateTime) continue;
      if (!newest || s.SnapshotCreateTime > newest.SnapshotCreateTime) newest = { ...s, SnapshotCreateTime: s.SnapshotCreateTime };
    }
    Marker = page.Marker;
  } while (Marker);
  return newest && { snapshot: newest.DBSnapshotIdentifier, time: newest.SnapshotCreateTime };
}

/**
 * Sends the restore request: an isolated copy in the source's subnet group and security groups, with the source's parameter
 * group, never public, single-AZ unless the drill checks Multi-AZ, deletable. Encryption and its KMS key follow the
 * snapshot or source by themselves (neither restore API takes a key).
 */
export async function startRestore(
  aws: Aws,
  spec: DrillSpec,
  source: DBInstance,
  point: RestorePoint,
  identifier: string,
  tags: Record<string, string>,
): Promise<void> {
  const common = {
    DBInstanceClass: spec.instanceClass,
    DBSubnetGroupName: source.DBSubnetGroup?.DBSubnetGroupName,
    VpcSecurityGroupIds: (source.VpcSecurityGroups ?? []).flatMap((g) => (g.VpcSecurityGroupId ? [g.VpcSecurityGroupId] : [])),
    DBParameterGroupName: source.DBParameterGroups?.[0]?.DBParameterGroupName,
    PubliclyAccessible: false,
    MultiAZ: spec.checks.multiAZ === true,
    DeletionProtection: false,
    CopyTagsToSnapshot: false,
    Tags: asKeyValue(tags),
  };
  if (point.snapshot) {
    await aws.rds.send(new RestoreDBInstanceFromDBSnapshotCommand({ ...common, DBInstanceIdentifier: identifier, DBSnapshotIdentifier: point.snapshot }));
  } else {
    await aws.rds.send(
      new RestoreDBInstanceToPointInTimeCommand({
        ...common,
        SourceDBInstanceIdentifier: source.DBInstanceIdentifier,
        TargetDBInstanceIdentifier: identifier,
        UseLatestRestorableTime: true,
      }),
    );
  }
}
