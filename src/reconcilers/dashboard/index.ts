import type { Reconciler } from '../../engine/types.js';
import { diffDashboard } from './diff.js';
import { getDashboardBody, observeDashboards, type LiveDashboard } from './observe.js';
import { dashboardSteps } from './steps.js';

export { isOwnedBody, ownershipMarker } from './body.js';
export type { LiveDashboard } from './observe.js';

/**
 * No taggingType: dashboards cannot be tagged, so ownership is the marker in the body, and prune (which finds what
 * it deletes by tag) never sees a dashboard: there is no deleteSteps.
 */
export const dashboard: Reconciler<'Dashboard', LiveDashboard> = {
  kind: 'Dashboard',
  observe: observeDashboards,
  diff: diffDashboard,
  steps: dashboardSteps,
  // Generated widgets name services and databases by their AWS names; none of them needs to exist first.
  dependsOn: () => [],
  async health(m, ctx) {
    const body = await getDashboardBody(ctx, m.metadata.name);
    return body === undefined ? { steady: false, reason: 'dashboard not found' } : { steady: true, reason: 'dashboard exists' };
  },
};
