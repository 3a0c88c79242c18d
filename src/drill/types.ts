import type { Aws } from '../aws/clients.js';
import type { RestoreDrill } from '../schema/index.js';

export type RestoreMethod = RestoreDrill['spec']['method'];

/**
 * passed: available within the RTO budget, data within the RPO budget, every check passed.
 * failed: nothing restorable, the copy never became available, or a check failed.
 * budget-exceeded: every check passed, but RTO or RPO was over its budget.
 * error: the drill could not run or clean up (AWS error, source missing, drill instance not deleted).
 */
export type DrillOutcome = 'passed' | 'failed' | 'budget-exceeded' | 'error';

export interface CheckResult {
  name: string;
  passed: boolean;
  detail: string;
}

export interface DrillResult {
  /** metadata.name of the RestoreDrill. */
  drill: string;
  /** RDS identifier of the source DB. */
  db: string;
  method: RestoreMethod;
  startedAt: string;
  finishedAt: string;
  outcome: DrillOutcome;
  /** One line for people: why this outcome. */
  reason: string;
  /** Drill start until the copy was available; null when it never was. */
  rtoSeconds: number | null;
  /** Drill start minus the time of the restored data; null when nothing was restorable. */
  rpoSeconds: number | null;
  rtoBudgetSeconds: number;
  rpoBudgetSeconds: number;
  /** What was restored: a snapshot, or the source's latest restorable time (point-in-time). */
  restoredFrom: { snapshot?: string; time: string } | null;
  checks: CheckResult[];
  /** The temporary instance; null when no restore was started. */
  drillInstance: { identifier: string; instanceClass: string; deleted: boolean; deleteError?: string } | null;
}

/** `ballast run` (the controller, one leader at a time) or `ballast drill run` (anyone's terminal, any time). */
export type DrillRunner = 'controller' | 'cli';

export interface DrillContext {
  aws: Aws;
  controllerId: string;
  /** Who runs the drill, recorded on its copy: the controller's clean-up at start deletes only its own copies early. */
  runner: DrillRunner;
  /** Between DescribeDBInstances reads while the copy is restored. */
  pollIntervalMs: number;
  now?: () => Date;
  /** Aborting stops waiting; the drill instance is still deleted. */
  signal?: AbortSignal;
  /** Progress for people (CLI stderr, controller log). */
  log?: (message: string) => void;
}
