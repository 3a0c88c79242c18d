import DataLoader from 'dataloader';

const loaders = new WeakMap<object, Map<string, DataLoader<string, unknown>>>();

/**
 * Health reads of one kind asked for at about the same time (in one turn of the event loop: the first checks after
 * an apply, and the polls whose timers fire together) go out together, `size` keys a call, as observe batches them.
 * Nothing is cached: every poll reads afresh. Loaders live as long as `scope` (a reconcile's context); `id` names the
 * read, and must include whatever the call is bound to (e.g. the ECS cluster).
 */
export function batchedRead<V>(
  scope: object,
  id: string,
  size: number,
  read: (keys: string[]) => Promise<Map<string, V>>,
): (key: string) => Promise<V | undefined> {
  let byId = loaders.get(scope);
  if (!byId) {
    byId = new Map();
    loaders.set(scope, byId);
  }
  let loader = byId.get(id) as DataLoader<string, V | undefined> | undefined;
  if (!loader) {
    loader = new DataLoader<string, V | undefined>(
      async (keys) => {
        const found = await read([...keys]);
        return keys.map((k) => found.get(k));
      },
      // setImmediate waits for every timer of this turn, so polls that fall due together share one call.
      { cache: false, maxBatchSize: size, batchScheduleFn: (dispatch) => setImmediate(dispatch) },
    );
    byId.set(id, loader as DataLoader<string, unknown>);
  }
  return (key) => loader.load(key);
}
