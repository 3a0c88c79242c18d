import type { Logger } from 'pino';
import { errorOf } from '../observe/index.js';
import { sameSeen, type Seen, type SeenStore } from './index.js';

/** What holds the seen resources in memory: the controller's status recorder. */
export interface SeenHolder {
  readonly seen: Seen;
  restoreSeen(seen: Seen): void;
}

/** Reads what the store kept; unreadable, this process's own memory stands in (logged). */
export async function restoreSeen(store: SeenStore | undefined, holder: SeenHolder, logger: Logger): Promise<void> {
  if (!store) return;
  try {
    holder.restoreSeen(await store.load());
  } catch (err) {
    logger.warn({ err: errorOf(err).message }, "could not read which resources were seen in place; using this process's memory");
  }
}

/**
 * Writes the seen resources when a reconcile changed them; a failed write is tried again by the next one. A replica
 * that lost the lease mid-run must not write over what the new leader keeps.
 */
export async function keepSeen(store: SeenStore | undefined, holder: SeenHolder, before: Seen, leading: boolean, logger: Logger): Promise<void> {
  const now = holder.seen;
  if (!store || !leading || sameSeen(now, before)) return;
  try {
    await store.save(now);
  } catch (err) {
    logger.warn({ err: errorOf(err).message }, 'could not keep which resources were seen in place');
  }
}
