import { ListDashboardsCommand, type DashboardEntry } from '@aws-sdk/client-cloudwatch';
import type { ObserveContext } from '../../engine/types.js';
import { MANAGED_BY_TAG, MANIFEST_TAG } from '../../engine/tags.js';
import { isOwnedBody } from './body.js';
import { getDashboardBody } from './observe.js';

async function listDashboards(ctx: ObserveContext): Promise<DashboardEntry[]> {
  const entries: DashboardEntry[] = [];
  let NextToken: string | undefined;
  do {
    const out = await ctx.limit('cloudwatch', () => ctx.aws.cloudwatch.send(new ListDashboardsCommand({ NextToken })));
    entries.push(...(out.DashboardEntries ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return entries;
}

/**
 * Dashboards carry no tags: the ownership marker in the body says whose they are. One ListDashboards (paged) finds
 * the dashboards no manifest names; each body is read once per version (LastModified), so a steady account costs
 * the list alone. A dashboard whose marker was edited away is no longer Ballast's, and is never pruned.
 */
export async function discoverDashboards(ctx: ObserveContext): Promise<Map<string, Record<string, string>>> {
  const named = new Set(ctx.manifests.filter((m) => m.kind === 'Dashboard').map((m) => m.metadata.name));
  const owned = new Map<string, Record<string, string>>();
  const others = (await listDashboards(ctx)).filter((e) => e.DashboardName && !named.has(e.DashboardName));
  await Promise.all(
    others.map(async (e) => {
      const name = e.DashboardName!;
      const body = await ctx.memo(`dashboard-body:${name}:${e.LastModified?.toISOString() ?? ''}:${e.Size ?? ''}`, () => getDashboardBody(ctx, name));
      if (body !== undefined && isOwnedBody(body, ctx.controllerId)) {
        owned.set(e.DashboardArn ?? `dashboard/${name}`, { [MANAGED_BY_TAG]: ctx.controllerId, [MANIFEST_TAG]: `Dashboard/${name}` });
      }
    }),
  );
  return owned;
}
