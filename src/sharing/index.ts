import type { Logger } from 'pino';
import type { CallCounter } from '../aws/counter.js';
import { leaseTableClient, leaseTimingOf, type LeaseSettings } from '../lease/index.js';
import { TargetShares } from './targets.js';

export { TargetShares, type TargetGate, type TargetHolding } from './targets.js';
export { extrasOf, shareOf } from './split.js';

/** The target shares of `ballast run --share-targets`: in the lease table, as the replica `identity` of the elector. */
export function createShares(settings: LeaseSettings & { leaseTable: string }, identity: string, counter: CallCounter, logger: Logger): TargetShares {
  return new TargetShares(leaseTableClient(settings, counter), settings.leaseTable, settings.controllerId, identity, leaseTimingOf(settings), logger);
}
