import type { Dashboard } from '../../schema/index.js';
import type { Context } from '../../engine/types.js';
import { MANAGED_BY_TAG } from '../../engine/tags.js';
import {
  dbInstanceIdentifier,
  ecsServiceDimensions,
  requireManifest,
  targetGroupDimensions,
  type Dimensions,
} from '../alarm/dimensions.js';

/** Columns of the CloudWatch dashboard grid. */
const GRID = 24;
const DEFAULT_SIZE = 6;

export interface Widget {
  type: string;
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

export interface DashboardBody {
  widgets: Widget[];
  periodOverride: string;
}

type Unplaced = Omit<Widget, 'x' | 'y'> & { x?: number; y?: number };
type MetricLine = [namespace: string, name: string, dimensions: Dimensions, label?: string];

/** Dashboards cannot be tagged, so ownership is written into the body's last text widget. */
export function ownershipMarker(controllerId: string): string {
  return `${MANAGED_BY_TAG}=${controllerId}`;
}

/** Backquoted in the text, so that controller "ballast" does not also claim the dashboards of "ballast-staging". */
export function isOwnedBody(body: string, controllerId: string): boolean {
  return body.includes(`\`${ownershipMarker(controllerId)}\``);
}

function metricWidget(title: string, width: number, stat: string, lines: MetricLine[], ctx: Context): Unplaced {
  const metrics = lines.map(([namespace, name, dimensions, label]) => [
    namespace,
    name,
    ...Object.entries(dimensions).flat(),
    ...(label ? [{ label }] : []),
  ]);
  return {
    type: 'metric',
    width,
    height: DEFAULT_SIZE,
    properties: { title, region: ctx.refs.region, view: 'timeSeries', stat, period: 60, metrics },
  };
}

function ecsWidgets(service: string, ctx: Context): Unplaced[] {
  const dims = ecsServiceDimensions(service, ctx);
  return [
    metricWidget(`${service}: CPU %`, 8, 'Average', [['AWS/ECS', 'CPUUtilization', dims]], ctx),
    metricWidget(`${service}: memory %`, 8, 'Average', [['AWS/ECS', 'MemoryUtilization', dims]], ctx),
    metricWidget(`${service}: running tasks`, 8, 'Average', [['ECS/ContainerInsights', 'RunningTaskCount', dims]], ctx),
  ];
}

function loadBalancerWidgets(service: string, ctx: Context): Unplaced[] {
  const dims = targetGroupDimensions(service, ctx);
  const nlb = (name: string): MetricLine => ['AWS/NetworkELB', name, dims];
  return [
    metricWidget(`${service}: NLB targets`, 12, 'Average', [nlb('HealthyHostCount'), nlb('UnHealthyHostCount')], ctx),
    metricWidget(`${service}: TCP resets`, 12, 'Sum', [nlb('TCP_Target_Reset_Count'), nlb('TCP_Client_Reset_Count')], ctx),
  ];
}

/** Replicas are listed up to the most there can be; a replica that does not exist yet shows no data. */
function dbWidgets(name: string, ctx: Context): Unplaced[] {
  const replicas = requireManifest(ctx, 'DbInstance', name).spec.readReplicas;
  const most = replicas?.count ?? replicas?.max ?? 0;
  const primary = dbInstanceIdentifier(name, ctx);
  const replicaIds = Array.from({ length: most }, (_, i) => dbInstanceIdentifier(name, ctx, i + 1));
  const rds = (metric: string, ids: string[]): MetricLine[] =>
    ids.map((id) => ['AWS/RDS', metric, { DBInstanceIdentifier: id }, id]);
  return [
    metricWidget(`${name}: CPU %`, 6, 'Average', rds('CPUUtilization', [primary, ...replicaIds]), ctx),
    metricWidget(`${name}: connections`, 6, 'Maximum', rds('DatabaseConnections', [primary, ...replicaIds]), ctx),
    ...(most > 0 ? [metricWidget(`${name}: replica lag (s)`, 6, 'Maximum', rds('ReplicaLag', replicaIds), ctx)] : []),
    metricWidget(`${name}: free storage (bytes)`, 6, 'Minimum', rds('FreeStorageSpace', [primary]), ctx),
  ];
}

function ownershipWidget(controllerId: string): Unplaced {
  const markdown = `Managed by Ballast from Git: change the manifest, not this dashboard. \`${ownershipMarker(controllerId)}\``;
  return { type: 'text', width: GRID, height: 1, properties: { markdown } };
}

/**
 * Places widgets left to right, wrapping at the grid's edge. A stated position is kept, and the next widget
 * without one follows it.
 */
function layout(widgets: Unplaced[]): Widget[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return widgets.map((w) => {
    if (w.y !== undefined && w.y !== y) [x, y, rowHeight] = [0, w.y, 0];
    if (w.x !== undefined) x = w.x;
    else if (x + w.width > GRID) [x, y, rowHeight] = [0, y + rowHeight, 0];
    const placed = { type: w.type, x, y, width: w.width, height: w.height, properties: w.properties };
    x += w.width;
    rowHeight = Math.max(rowHeight, w.height);
    return placed;
  });
}

/** The dashboard body: stated widgets, then generated ones, then the ownership note. */
export function renderBody(m: Dashboard, ctx: Context): DashboardBody {
  const stated = (m.spec.widgets ?? []).map(
    (w): Unplaced => ({
      ...w,
      width: w.width ?? DEFAULT_SIZE,
      height: w.height ?? DEFAULT_SIZE,
      // Metric widgets need a region; the one Ballast runs in unless stated.
      properties: w.type === 'metric' ? { region: ctx.refs.region, ...w.properties } : w.properties,
    }),
  );
  const g = m.spec.generate ?? {};
  const generated = [
    ...(g.ecsServices ?? []).flatMap((s) => ecsWidgets(s, ctx)),
    ...(g.loadBalancers ?? []).flatMap((s) => loadBalancerWidgets(s, ctx)),
    ...(g.dbInstances ?? []).flatMap((d) => dbWidgets(d, ctx)),
  ];
  return {
    widgets: layout([...stated, ...generated, ownershipWidget(ctx.controllerId)]),
    periodOverride: m.spec.periodOverride ?? 'auto',
  };
}
