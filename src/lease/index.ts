import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from 'pino';
import type { CallCounter } from '../aws/counter.js';
import { LeaderElector, soleLeader, type LeaderGate, type LeaseTiming } from './elector.js';
import { LeaseStore } from './store.js';

export { LeaderElector, soleLeader, type LeaderGate, type LeaseTiming } from './elector.js';
export { LeaseStore } from './store.js';

export interface LeaseSettings {
  controllerId: string;
  /** DynamoDB table of the leases; election is off without it. */
  leaseTable?: string;
  /** Seconds. */
  leaseDuration: number;
  leaseRenewDeadline: number;
  leaseRetryPeriod: number;
  retryMode?: 'standard' | 'adaptive';
  maxAttempts?: number;
}

/** Why a set of lease timings cannot work, or undefined. */
export function leaseTimingProblem(s: Pick<LeaseSettings, 'leaseDuration' | 'leaseRenewDeadline' | 'leaseRetryPeriod'>): string | undefined {
  if (s.leaseRenewDeadline >= s.leaseDuration) return `lease renew deadline (${s.leaseRenewDeadline}s) must be shorter than the lease duration (${s.leaseDuration}s)`;
  if (s.leaseRetryPeriod >= s.leaseRenewDeadline) return `lease retry period (${s.leaseRetryPeriod}s) must be shorter than the renew deadline (${s.leaseRenewDeadline}s)`;
  return undefined;
}

/**
 * The elector for `ballast run`: one lease per controller id (several controllers can share a table), held by a
 * replica identity unique per process. Its calls are counted apart from the reconciles' (a renewal is no estate write).
 */
export function createElector(settings: LeaseSettings & { leaseTable: string }, counter: CallCounter, logger: Logger): LeaderElector {
  const store = new LeaseStore(leaseTableClient(settings, counter), settings.leaseTable, `leader/${settings.controllerId}`);
  return new LeaderElector(store, `${hostname()}-${randomUUID().slice(0, 8)}`, leaseTimingOf(settings), logger);
}

/** The settings' lease timings in milliseconds; throws when they cannot work. */
export function leaseTimingOf(settings: Pick<LeaseSettings, 'leaseDuration' | 'leaseRenewDeadline' | 'leaseRetryPeriod'>): LeaseTiming {
  const problem = leaseTimingProblem(settings);
  if (problem) throw new Error(problem);
  return { leaseDurationMs: settings.leaseDuration * 1000, renewDeadlineMs: settings.leaseRenewDeadline * 1000, retryPeriodMs: settings.leaseRetryPeriod * 1000 };
}

/**
 * A client for the lease table, its calls counted apart from the reconciles'. An attempt that gets no answer within
 * the renew deadline is given up (an answer later than that cannot keep a leader leading): a lease check that hung
 * would keep a leader elected, taking triggers it cannot run, for as long as it hung.
 */
export function leaseTableClient(settings: Pick<LeaseSettings, 'retryMode' | 'maxAttempts' | 'leaseRenewDeadline'>, counter: CallCounter): DynamoDBClient {
  const client = new DynamoDBClient({
    retryMode: settings.retryMode ?? 'standard',
    maxAttempts: settings.maxAttempts ?? 3,
    requestHandler: { requestTimeout: settings.leaseRenewDeadline * 1000, throwOnRequestTimeout: true },
  });
  client.middlewareStack.use(counter.plugin('dynamodb'));
  return client;
}

/** This process's identity when election is off. */
export const soleIdentity = (): LeaderGate => soleLeader(`${hostname()}-${process.pid}`);
