import type { Manifest } from '../../src/schema/index.js';
import type { ObserveContext } from '../../src/engine/types.js';
import { buildObserveContext, ownedArns, type Session } from '../../src/observe/context.js';
import { resolveRefs } from '../../src/observe/refs.js';

/** The context observeAll builds, for tests that drive one reconciler's observe on its own. */
export async function observeContext(session: Session, manifests: Manifest[], resourceTypes: string[]): Promise<ObserveContext> {
  const [refs, owned] = await Promise.all([resolveRefs(manifests, session.aws), ownedArns(session.aws, session.controllerId, resourceTypes)]);
  return buildObserveContext(session, manifests, refs, owned);
}
