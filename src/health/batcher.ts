import DataLoader from 'dataloader';

/**
 * How long a batch waits for more keys: polls falling due on the same beat of an apply's cadence (src/apply) fire in
 * timer turns a few milliseconds apart on a busy process, and still share one call.
 */
const GATHER_MS = 20;

const loaders = new WeakMap<object, Map<string, DataLoader<string, unknown>>>();

/**
 * Health reads of one kind asked for at about the same time (within GATHER_MS: the first checks after an apply,
 * and the polls that fall due on the same beat) go out together, `size` keys a call, as observe batches them.
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
      { cache: false, maxBatchSize: size, batchScheduleFn: (dispatch) => setTimeout(dispatch, GATHER_MS) },
    );
    byId.set(id, loader as DataLoader<string, unknown>);
  }
  return (key) => loader.load(key);
}
