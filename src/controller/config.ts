import { DEFAULT_AWS_TIMEOUT } from '../aws/timeout.js';
import { DEFAULT_LIMITS } from '../load/limits.js';
import { DEFAULT_ISOLATION } from '../isolated-load/index.js';
import type { Mode } from '../schema/index.js';

/** How Ballast reaches AWS and what it may do there: shared by `ballast run` and the plan/apply commands. */
export interface AwsSettings {
  controllerId: string;
  /** The id was given (flag, environment or config file) rather than left at its default: prune needs that. */
  controllerIdStated?: boolean;
  mode: Mode;
  prune: boolean;
  retryMode?: 'standard' | 'adaptive';
  maxAttempts?: number;
  /** Seconds an AWS call attempt may wait for a connection and its answer (0: for ever). */
  awsTimeout: number;
  concurrency: number;
}

/** Everything `ballast run` can be told (flags, environment or config file; see the README table). */
export interface ControllerConfig extends AwsSettings {
  repoUrl: string;
  branch: string;
  path: string;
  workdir?: string;
  pollInterval: number;
  driftSchedule: string;
  webhookSecret?: string;
  slackWebhookUrl?: string;
  /** Bearer token of the operator API (/status, /reconcile). */
  apiToken?: string;
  port: number;
  host: string;
  quietPeriod: number;
  /** Consecutive failed reconciles after which a failure that may pass by itself goes to Slack. */
  reportFailuresAfter: number;
  ecsTimeout?: number;
  dbTimeout?: number;
  healthPollInterval: number;
  logLevel: string;
  /** Apply only commits signed by these keys (see src/trust). */
  allowedSigners?: string;
  gpgKeyring?: string;
  /** Price table for the cost of applied changes (default: the shipped table of the region). */
  prices?: string;
  /** HTTPS token for the repository (environment or config file only); reaches git only through its environment. */
  gitToken?: string;
  /** Commit statuses on GitHub: set when a token is given (environment or config file only). */
  githubToken?: string;
  /** owner/name; defaults to the repository of a github.com repoUrl. */
  githubRepository?: string;
  githubApiUrl: string;
  /** The controller's address as people reach it, for links to /status. */
  publicUrl?: string;
  /** DynamoDB table for leader election; off when unset. */
  leaseTable?: string;
  /** Replicas sharing the lease table split the targets, each reconciling only those it holds (src/sharing). */
  shareTargets: boolean;
  /** Seconds: how long a lease lasts unrenewed, when the leader stops acting, between attempts. */
  leaseDuration: number;
  leaseRenewDeadline: number;
  leaseRetryPeriod: number;
  /** SQS queue of AWS change events (see src/events); off when unset. */
  eventsQueue?: string;
  /** Seconds: events less than this apart make one reconcile (handed over at most 5 windows after the first). */
  eventsCoalesce: number;
  /** Caps on one revision (see RevisionLimits), and the loader worker's heap in MB. */
  maxRevisionBytes: number;
  maxDocuments: number;
  maxYamlNodes: number;
  loadMemory: number;
  /** DynamoDB table of the history of writes; none: history is not kept. */
  historyTable?: string;
  historyRetentionDays: number;
}

/** Defaults of every optional setting (the flags' defaults too). */
export const CONTROLLER_DEFAULTS = {
  branch: 'main',
  path: 'desired-state',
  pollInterval: 60,
  driftSchedule: '* * * * *',
  port: 8080,
  host: '0.0.0.0',
  controllerId: 'ballast',
  mode: 'enforce',
  prune: false,
  concurrency: 8,
  awsTimeout: DEFAULT_AWS_TIMEOUT,
  quietPeriod: 3600,
  reportFailuresAfter: 3,
  healthPollInterval: 5,
  logLevel: 'info',
  githubApiUrl: 'https://api.github.com',
  // controller-runtime's defaults.
  leaseDuration: 15,
  leaseRenewDeadline: 10,
  leaseRetryPeriod: 2,
  shareTargets: false,
  eventsCoalesce: 2,
  maxRevisionBytes: DEFAULT_LIMITS.maxRevisionBytes,
  maxDocuments: DEFAULT_LIMITS.maxDocuments,
  maxYamlNodes: DEFAULT_LIMITS.maxYamlNodes,
  loadMemory: DEFAULT_ISOLATION.memoryMb,
  historyRetentionDays: 90,
} as const satisfies Partial<ControllerConfig>;

/** With an events queue, changes are seen within seconds: the full drift scan runs every 15 minutes unless told otherwise. */
export const EVENTS_DRIFT_SCHEDULE = '*/15 * * * *';

/** A restore takes minutes to tens of minutes: reading its state every 15 s is plenty. */
export const DRILL_POLL_SECONDS = 15;
