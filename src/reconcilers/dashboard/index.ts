import type { Reconciler } from '../../engine/types.js';
import { diffDashboard } from './diff.js';
import { getDashboardBody, observeDashboards, type LiveDashboard } from './observe.js';
import { dashboardSteps } from './steps.js';
import { discoverDashboards } from './owned.js';

export { isOwnedBody, ownershipMarker } from './body.js';
export type { LiveDashboard } from './observe.js';

/**
 * No taggingType: dashboards cannot be tagged, so ownership is the marker in the body, and prune finds owned
 * dashboards by listing them and reading that marker (discoverDashboards).
 */
export const dashboard: Reconciler<'Dashboard', LiveDashboard> = {
  kind: 'Dashboard',
  observe: observeDashboards,
  diff: diffDashboard,
  steps: dashboardSteps,
  // Generated widgets name services and databases by their AWS names; none of them needs to exist first.
  dependsOn: () => [],
  discoverOwned: (ctx) => discoverDashboards(ctx),
  deleteSteps: (name) => [
    { op: 'delete', summary: `delete dashboard ${name}`, calls: [{ service: 'cloudwatch', operation: 'DeleteDashboards', input: { DashboardNames: [name] } }] },
  ],
  async health(m, ctx) {
    const body = await getDashboardBody(ctx, m.metadata.name);
    return body === undefined ? { steady: false, reason: 'dashboard not found' } : { steady: true, reason: 'dashboard exists' };
  },
};
