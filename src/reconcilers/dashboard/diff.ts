import { isDeepStrictEqual } from 'node:util';
import type { Dashboard } from '../../schema/index.js';
import type { Context, FieldChange } from '../../engine/types.js';
import { renderBody } from './body.js';
import type { LiveDashboard } from './observe.js';

const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

/** One line per widget, enough to see what a whole-body change is about. */
function summary(body: LiveDashboard): Record<string, unknown> {
  const { widgets, ...rest } = body;
  const label = (w: unknown) => {
    const { type, properties } = record(w);
    const p = record(properties);
    const text = p.title ?? (typeof p.markdown === 'string' ? p.markdown.split('\n')[0] : undefined);
    return text === undefined ? String(type) : `${String(type)} "${String(text)}"`;
  };
  return { ...rest, widgets: Array.isArray(widgets) ? widgets.map(label) : [] };
}

/**
 * The rendered body against the live one, as data. A single edited widget is named by its index; anything else
 * (widgets added, removed or moved, top-level settings) is one change of the whole body.
 */
export function diffDashboard(m: Dashboard, live: LiveDashboard, ctx: Context): FieldChange[] {
  // Through JSON, as PutDashboard would send it.
  const desired = JSON.parse(JSON.stringify(renderBody(m, ctx))) as LiveDashboard & { widgets: unknown[] };
  if (isDeepStrictEqual(live, desired)) return [];
  const { widgets: liveWidgets, ...liveRest } = live;
  const { widgets: desiredWidgets, ...desiredRest } = desired;
  if (Array.isArray(liveWidgets) && liveWidgets.length === desiredWidgets.length && isDeepStrictEqual(liveRest, desiredRest)) {
    const edited = desiredWidgets.flatMap((w, i) => (isDeepStrictEqual(liveWidgets[i], w) ? [] : [i]));
    if (edited.length === 1) {
      const i = edited[0]!;
      return [{ path: `body.widgets[${i}]`, live: liveWidgets[i], desired: desiredWidgets[i] }];
    }
  }
  return [{ path: 'body', live: summary(live), desired: summary(desired) }];
}
