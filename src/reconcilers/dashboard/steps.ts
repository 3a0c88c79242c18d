import type { Dashboard } from '../../schema/index.js';
import type { Context, FieldChange, Step } from '../../engine/types.js';
import { renderBody } from './body.js';
import type { LiveDashboard } from './observe.js';

/** PutDashboard creates or replaces the whole body; the body itself carries the ownership marker. */
export function dashboardSteps(m: Dashboard, live: LiveDashboard | undefined, changes: FieldChange[], ctx: Context): Step[] {
  if (live && !changes.some((c) => !c.pending)) return [];
  const input = { DashboardName: m.metadata.name, DashboardBody: JSON.stringify(renderBody(m, ctx)) };
  return [
    {
      op: live ? 'update' : 'create',
      summary: live ? 'replace dashboard body' : 'create dashboard',
      calls: [{ service: 'cloudwatch', operation: 'PutDashboard', input }],
    },
  ];
}
