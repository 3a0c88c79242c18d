import type { EcsService, ServiceAutoscaling } from '../../schema/index.js';
import type { Context, Refs } from '../../engine/types.js';
import { ECS_DEFAULTS, type LivePort } from './live.js';

type Spec = EcsService['spec'];
type Container = Spec['containers'][number];

/** The ServiceAutoscaling that scales this service, if any: it then owns desiredCount. */
export function autoscalerOf(desired: EcsService, ctx: Pick<Context, 'manifests'>): ServiceAutoscaling | undefined {
  return ctx.manifests.find((m): m is ServiceAutoscaling => m.kind === 'ServiceAutoscaling' && m.spec.service === desired.metadata.name);
}

export const roleArn = (refs: Refs, role: string | undefined) => (role === undefined ? undefined : refs.require('role', role));

export function networkIds(spec: Spec, refs: Refs): { subnets: string[]; securityGroups: string[] } {
  return {
    subnets: spec.network.subnets.map((s) => refs.require('subnet', s)),
    securityGroups: spec.network.securityGroups.map((g) => refs.require('securityGroup', g)),
  };
}

export const targetGroupArn = (spec: Spec, refs: Refs) => spec.loadBalancer && refs.require('targetGroup', spec.loadBalancer.targetGroup);

export function portsOf(c: Container): LivePort[] | undefined {
  return c.ports?.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol ?? ECS_DEFAULTS.protocol }));
}

/** Where awslogs writes: the stated region, else the one Ballast runs in. */
export const logRegion = (c: Container, refs: Refs) => c.logging?.region ?? refs.region;
