import type { Alarm, Kind, ManifestOf } from '../../schema/index.js';
import { ResourceFailure, type Context } from '../../engine/types.js';

export type AlarmMetricSpec = NonNullable<Alarm['spec']['metric']>;
/** CloudWatch dimensions, name -> value (names are unique within a metric). */
export type Dimensions = Record<string, string>;

type Lookup = Pick<Context, 'find' | 'refs'>;

export function requireManifest<K extends Kind>(ctx: Pick<Context, 'find'>, kind: K, name: string): ManifestOf<K> {
  const m = ctx.find(kind, name);
  if (!m) throw new ResourceFailure('ReferenceNotFound', `${kind} "${name}" is not in this revision`);
  return m;
}

export function ecsServiceDimensions(service: string, ctx: Lookup): Dimensions {
  return { ClusterName: requireManifest(ctx, 'EcsService', service).spec.cluster, ServiceName: service };
}

/** The resource part of an ELB ARN as CloudWatch spells it: `targetgroup/<name>/<id>`, `net/<name>/<id>`. */
function elbResource(arn: string): string {
  return arn.split(':').slice(5).join(':').replace(/^loadbalancer\//, '');
}

/** TargetGroup and LoadBalancer of the NLB target group an EcsService registers with. */
export function targetGroupDimensions(service: string, ctx: Lookup): Dimensions {
  const ref = requireManifest(ctx, 'EcsService', service).spec.loadBalancer?.targetGroup;
  if (!ref) throw new ResourceFailure('NoLoadBalancer', `EcsService "${service}" has no loadBalancer`);
  const targetGroup = ctx.refs.require('targetGroup', ref);
  const loadBalancer = ctx.refs.loadBalancerOf(targetGroup);
  if (!loadBalancer) {
    throw new ResourceFailure('NoLoadBalancer', `target group "${ref}" of EcsService "${service}" is not attached to a load balancer`);
  }
  return { TargetGroup: elbResource(targetGroup), LoadBalancer: elbResource(loadBalancer) };
}

/** The RDS identifier of a DbInstance, or of its Nth read replica. */
export function dbInstanceIdentifier(name: string, ctx: Pick<Context, 'find'>, replica?: number): string {
  const db = requireManifest(ctx, 'DbInstance', name);
  const id = db.spec.identifier ?? db.metadata.name;
  return replica === undefined ? id : `${id}-replica-${replica}`;
}

/** Literal dimensions merged with those taken from other manifests. */
export function metricDimensions(metric: AlarmMetricSpec, ctx: Lookup): Dimensions {
  const from = metric.dimensionsFrom ?? {};
  return {
    ...(from.ecsService ? ecsServiceDimensions(from.ecsService, ctx) : {}),
    ...(from.targetGroupOf ? targetGroupDimensions(from.targetGroupOf, ctx) : {}),
    ...(from.dbInstance ? { DBInstanceIdentifier: dbInstanceIdentifier(from.dbInstance, ctx, from.replica) } : {}),
    // Stated literally wins: the author wrote exactly that value.
    ...metric.dimensions,
  };
}

/** `Kind/name` of the manifests a metric takes dimensions from. */
export function metricDependencies(metric: AlarmMetricSpec): string[] {
  const from = metric.dimensionsFrom ?? {};
  return [
    ...(from.ecsService ? [`EcsService/${from.ecsService}`] : []),
    ...(from.targetGroupOf ? [`EcsService/${from.targetGroupOf}`] : []),
    ...(from.dbInstance ? [`DbInstance/${from.dbInstance}`] : []),
  ];
}
