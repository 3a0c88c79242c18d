import type { Logger } from 'pino';
import { type ApplyOptions, type ApplyResult } from '../apply/index.js';
import type { Registry } from '../engine/registry.js';
import type { Plan } from '../plan/types.js';
import type { ProgressTracker } from '../progress/index.js';
import { applyTargets, type PlannedTargets } from '../targets/each.js';

/** The target of a resource placed in a Target, for log lines (nothing for the default target). */
export function placedIn(plan: Plan): (key: string) => { target?: string } {
  const targets = new Map(plan.resources.map((r) => [r.key as string, r.target]));
  return (key) => (targets.get(key) !== undefined ? { target: targets.get(key) } : {});
}

/**
 * The controller's apply: each target's plan with its own clients, every write and health read logged with the
 * resource's target, and what is not healthy yet followed in its own target's session.
 */
export async function applyAndFollow(
  planned: PlannedTargets,
  deps: { registry: Registry; logger: Logger; progress: ProgressTracker },
  revision: string,
  options: Omit<ApplyOptions, 'onEvent'>,
): Promise<ApplyResult> {
  const { logger } = deps;
  const placed = placedIn(planned.plan);
  const { result, each } = await applyTargets(planned, deps.registry, {
    ...options,
    onEvent: (e) => {
      if (e.type === 'health') {
        logger.info({ revision, resource: e.key, ...placed(e.key), steady: e.health.steady, reason: e.health.reason }, 'health');
      } else if (e.state !== 'started') {
        const resource = e.id.split('#')[0]!;
        logger.info({ revision, resource, ...placed(resource), action: e.id, state: e.state, detail: e.detail }, 'write');
      }
    },
  });
  for (const { target, result: own } of each) if (target.observed) deps.progress.follow(own.health, target.placement.manifests, target.observed.ctx);
  return result;
}
