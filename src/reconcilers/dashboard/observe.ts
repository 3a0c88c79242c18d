import { DashboardNotFoundError, GetDashboardCommand } from '@aws-sdk/client-cloudwatch';
import type { Dashboard } from '../../schema/index.js';
import { ResourceFailure, type Observation, type ObserveContext } from '../../engine/types.js';
import { errorOf } from '../../observe/index.js';
import { isOwnedBody } from './body.js';

/** The dashboard body as parsed JSON: compared as data, so key order and whitespace do not matter. */
export type LiveDashboard = Record<string, unknown>;

/** The body text, or undefined when there is no such dashboard. */
export async function getDashboardBody(ctx: ObserveContext, name: string): Promise<string | undefined> {
  try {
    const out = await ctx.limit('cloudwatch', () => ctx.aws.cloudwatch.send(new GetDashboardCommand({ DashboardName: name })));
    return out.DashboardBody ?? '';
  } catch (err) {
    // AWS names this error ResourceNotFound in its query-compatible code.
    if (err instanceof DashboardNotFoundError || (err as Error).name === 'ResourceNotFound') return undefined;
    throw err;
  }
}

function parseBody(text: string): LiveDashboard {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ResourceFailure('InvalidDashboardBody', 'the dashboard body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ResourceFailure('InvalidDashboardBody', 'the dashboard body is not a JSON object');
  }
  return value as LiveDashboard;
}

async function observeOne(name: string, ctx: ObserveContext): Promise<Observation<LiveDashboard>> {
  try {
    const body = await getDashboardBody(ctx, name);
    if (body === undefined) return { state: 'missing' };
    return { state: 'found', live: parseBody(body), owned: isOwnedBody(body, ctx.controllerId) };
  } catch (err) {
    return { state: 'error', error: errorOf(err) };
  }
}

/** GetDashboard reads one dashboard a call. */
export async function observeDashboards(manifests: Dashboard[], ctx: ObserveContext): Promise<Map<string, Observation<LiveDashboard>>> {
  const names = manifests.map((m) => m.metadata.name);
  return new Map(await Promise.all(names.map(async (name) => [name, await observeOne(name, ctx)] as const)));
}
