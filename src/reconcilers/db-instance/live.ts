import type { ReplicaDecision } from './replica-scaling.js';

export interface LiveReplica {
  identifier: string;
  arn: string;
  /** n of `<identifier>-replica-<n>`; undefined for a replica named otherwise (never counted or deleted by Ballast). */
  index: number | undefined;
  instanceClass: string | undefined;
  /** The class RDS holds for the replica's maintenance window, if any. */
  pendingInstanceClass: string | undefined;
  status: string;
  owned: boolean;
  tags: Record<string, string>;
}

/** The live instance in the manifest's shape (spec field names), plus what only the live side has. */
export interface LiveDbInstance {
  identifier: string;
  arn: string;
  status: string;
  engine: string | undefined;
  engineVersion: string | undefined;
  instanceClass: string | undefined;
  storage: {
    allocatedGiB: number | undefined;
    maxAllocatedGiB: number | undefined;
    type: string | undefined;
    iops: number | undefined;
    encrypted: boolean;
    kmsKeyId: string | undefined;
  };
  multiAZ: boolean;
  masterUsername: string | undefined;
  manageMasterUserPassword: boolean;
  masterUserSecretKmsKeyId: string | undefined;
  /** With a password from the team's own secret: that secret's current version id (never its value). */
  secretVersion?: string;
  backup: { retentionDays: number | undefined; window: string | undefined };
  /** ISO time; absent while no automated backup exists (backups off, or a new instance). */
  latestRestorableTime: string | undefined;
  createdAt: string | undefined;
  /** When this was read (ISO): what the diff measures the restorable time against. */
  observedAt: string;
  maintenanceWindow: string | undefined;
  deletionProtection: boolean;
  /** Undefined when the API does not report Performance Insights (the emulator never does). */
  performanceInsights: { enabled: boolean; retentionDays: number | undefined } | undefined;
  parameterGroup: string | undefined;
  subnetGroup: string | undefined;
  /** Security group ids. */
  securityGroups: string[];
  publiclyAccessible: boolean;
  replicas: LiveReplica[];
  /** PendingModifiedValues keyed by manifest path, e.g. {"spec.instanceClass": "db.r6g.xlarge"}. */
  pending: Record<string, unknown>;
  tags: Record<string, string>;
  /** Set for replicas that follow traffic: the count the scaler wants now, why, and the metric it saw. */
  replicaDecision?: ReplicaDecision & { metricValue: number | undefined };
  /** The replica count Ballast last set (the primary's ballast.dev/read-replicas tag), when it has set one. */
  recordedReplicas?: number;
}

/** Replicas Ballast counts and may delete: its own, named `<identifier>-replica-<n>`, not already going away. */
export function managedReplicas(live: LiveDbInstance): LiveReplica[] {
  return live.replicas.filter((r) => r.owned && r.index !== undefined && r.status !== 'deleting');
}

/** The managed replicas above count, highest index first: those a lower count deletes. */
export function surplusReplicas(live: LiveDbInstance, count: number): LiveReplica[] {
  const managed = managedReplicas(live);
  return managed.sort((a, b) => (b.index ?? 0) - (a.index ?? 0)).slice(0, Math.max(0, managed.length - count));
}

