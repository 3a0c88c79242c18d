import type { ApplyResult } from '../apply/index.js';
import type { Plan } from '../plan/types.js';
import type { HistoryEntry } from './store.js';

export interface WriteContext {
  revision: string;
  author: string;
  message: string;
  trigger: string;
  /** Resources whose differences were drift (made outside Git) rather than a change from Git. */
  drifted: Set<string>;
  at?: string;
}

/** One entry per action that sent calls (done or failed); skipped actions wrote nothing. */
export function historyEntries(plan: Plan, result: ApplyResult, ctx: WriteContext): HistoryEntry[] {
  const at = ctx.at ?? new Date().toISOString();
  const actions = new Map(plan.actions.map((a) => [a.id, a]));
  const resources = new Map(plan.resources.map((r) => [r.key, r]));
  return result.actions.flatMap((outcome) => {
    const action = actions.get(outcome.id);
    if (!action || outcome.state === 'skipped') return [];
    const resource = resources.get(action.key);
    const drift = ctx.drifted.has(action.key) ? (resource?.changes ?? []).filter((c) => !c.pending && !c.scaling).map((c) => c.path) : [];
    return [
      {
        at,
        revision: ctx.revision,
        author: ctx.author,
        message: ctx.message.split('\n')[0] ?? '',
        trigger: ctx.trigger,
        resource: action.key,
        action: action.id,
        calls: action.calls.map((c) => `${c.service}:${c.operation}`),
        result: outcome.state === 'done' ? 'done' : 'failed',
        ...(outcome.error ? { error: `${outcome.error.code}: ${outcome.error.message}` } : {}),
        driftCorrected: outcome.state === 'done' ? drift : [],
      },
    ];
  });
}
