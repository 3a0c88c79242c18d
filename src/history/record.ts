import type { Logger } from 'pino';
import type { ApplyResult } from '../apply/index.js';
import type { Plan } from '../plan/types.js';
import { historyEntries, type WriteContext } from './entries.js';
import type { HistoryStore } from './store.js';

/** Records a reconcile's writes. A history that cannot be written is logged, never a failed reconcile: the writes were made either way. */
export async function recordHistory(store: HistoryStore | undefined, logger: Logger, plan: Plan, result: ApplyResult, ctx: WriteContext): Promise<void> {
  if (!store) return;
  const entries = historyEntries(plan, result, ctx);
  try {
    await store.record(entries);
  } catch (err) {
    logger.warn({ revision: ctx.revision, entries: entries.length, err: (err as Error).message }, 'history not recorded');
  }
}
