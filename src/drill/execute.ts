import type { DbInstance, RestoreDrill } from '../schema/index.js';
import { errorOf } from '../observe/index.js';
import { cleanupLeftovers } from './instance.js';
import { runDrill } from './run.js';
import type { DrillContext, DrillResult } from './types.js';

/**
 * One drill as the CLI and the controller run it: first the leftovers of crashed drills (past their deadline, so a
 * drill running elsewhere keeps its instance), then the drill. A failed cleanup is told, never stops the drill.
 */
export async function executeDrill(drill: RestoreDrill, source: DbInstance, ctx: DrillContext): Promise<DrillResult> {
  const log = ctx.log ?? (() => {});
  try {
    const { deleted, failed } = await cleanupLeftovers(ctx.aws, ctx.controllerId, { now: ctx.now?.() });
    for (const id of deleted) log(`deleted leftover drill instance ${id}`);
    for (const f of failed) log(`could not delete leftover drill instance ${f.identifier}: ${f.error}`);
  } catch (err) {
    const e = errorOf(err);
    log(`could not look for leftover drill instances: ${e.code}: ${e.message}`);
  }
  return runDrill(drill, source, ctx);
}
