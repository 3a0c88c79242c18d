import type { Logger } from 'pino';
import type { LeaderGate } from '../lease/index.js';
import type { ReconcileReport } from '../report/notify.js';

/**
 * May a run that has ended report (Slack, history, the resources seen)? A replica acting now may. A renewal late at
 * that moment is waited for, the run's sends being over, unless calls of the run were refused for it: that run is
 * left to the retry, or to the new leader.
 */
export async function mayReport(acting: boolean, leader: LeaderGate, report: ReconcileReport, logger: Logger): Promise<boolean> {
  if (acting) return true;
  if (!leader.elected || report.failures.some((f) => f.code === 'LeaseLost')) return false;
  logger.info('report waits for the lease renewal');
  return leader.confirmed();
}
