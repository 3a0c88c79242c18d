import type { Mode } from '../schema/index.js';

/** How Ballast reaches AWS and what it may do there: shared by `ballast run` and the plan/apply commands. */
export interface AwsSettings {
  controllerId: string;
  mode: Mode;
  prune: boolean;
  retryMode?: 'standard' | 'adaptive';
  maxAttempts?: number;
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
  ecsTimeout?: number;
  dbTimeout?: number;
  healthPollInterval: number;
  logLevel: string;
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
  quietPeriod: 3600,
  healthPollInterval: 5,
  logLevel: 'info',
  historyRetentionDays: 90,
} as const satisfies Partial<ControllerConfig>;

/** A restore takes minutes to tens of minutes: reading its state every 15 s is plenty. */
export const DRILL_POLL_SECONDS = 15;
