import type { Manifest } from '../schema/index.js';
import type { Registry } from './registry.js';
import { observeAll, type Observed } from '../observe/index.js';
import type { Session } from '../observe/context.js';
import { buildPlan, type PlanOptions } from '../plan/index.js';
import type { Plan } from '../plan/types.js';

export type PlanSettings = PlanOptions;

/** observe -> diff -> plan for one revision: what `plan`, `drift`, `apply` and the controller all start from. */
export async function observeAndPlan(
  manifests: Manifest[],
  session: Session,
  registry: Registry,
  settings: PlanSettings,
): Promise<{ observed: Observed; plan: Plan }> {
  const observed = await observeAll(session, manifests, registry, settings);
  const plan = buildPlan(manifests, observed, registry, settings);
  return { observed, plan };
}
