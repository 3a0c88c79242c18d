import type { Manifest, Target } from '../schema/index.js';
import { targetOf } from '../targets/placement.js';
import { identifierOf, replicaIndex } from '../reconcilers/db-instance/observe.js';
import type { ChangeEvent } from './event.js';

/** An AWS object an event names, by the name Ballast gives it. */
export interface Handle {
  type: 'ecs-service' | 'scalable-target' | 'db' | 'alarm' | 'dashboard';
  name: string;
}

type Params = Record<string, unknown>;

const names = (v: unknown): string[] => (typeof v === 'string' && v !== '' ? [v] : Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const lastSegment = (v: string) => v.split('/').pop() ?? v;
const named = (type: Handle['type'], v: unknown, name: (s: string) => string | undefined = (s) => s): Handle[] =>
  names(v).flatMap((s) => {
    const n = name(s);
    return n ? [{ type, name: n }] : [];
  });

/** The object an ARN names, for the services Ballast manages (ECS services, RDS instances, alarms, dashboards). */
export function handleOfArn(arn: string): Handle[] {
  const [prefix, , service, , , ...rest] = arn.split(':');
  const resource = rest.join(':');
  if (prefix !== 'arn') return [];
  if (service === 'ecs' && resource.startsWith('service/')) return [{ type: 'ecs-service', name: lastSegment(resource) }];
  if (service === 'rds' && resource.startsWith('db:')) return [{ type: 'db', name: resource.slice(3) }];
  if (service === 'cloudwatch' && resource.startsWith('alarm:')) return [{ type: 'alarm', name: resource.slice(6) }];
  if (service === 'cloudwatch' && resource.startsWith('dashboard/')) return [{ type: 'dashboard', name: resource.slice(10) }];
  return [];
}

const arns = (v: unknown) => names(v).flatMap(handleOfArn);
// A service parameter is a name or an ARN; a scalable target's resource id is service/<cluster>/<name>.
const ecsService = (v: unknown) => named('ecs-service', v, lastSegment);
const scalableTarget = (v: unknown) => named('scalable-target', v, (id) => (id.startsWith('service/') ? lastSegment(id) : undefined));

/**
 * The CloudTrail write calls that can change what a manifest states, by event source, and the objects each names
 * (CloudTrail spells request parameters as below, `dBInstanceIdentifier` included).
 */
const CALLS: Record<string, Record<string, (p: Params) => Handle[]>> = {
  'aws.ecs': {
    CreateService: (p) => ecsService(p.serviceName),
    UpdateService: (p) => ecsService(p.service),
    DeleteService: (p) => ecsService(p.service),
    TagResource: (p) => arns(p.resourceArn),
    UntagResource: (p) => arns(p.resourceArn),
  },
  'aws.application-autoscaling': {
    RegisterScalableTarget: (p) => scalableTarget(p.resourceId),
    DeregisterScalableTarget: (p) => scalableTarget(p.resourceId),
    PutScalingPolicy: (p) => scalableTarget(p.resourceId),
    DeleteScalingPolicy: (p) => scalableTarget(p.resourceId),
  },
  'aws.rds': {
    ModifyDBInstance: (p) => named('db', p.dBInstanceIdentifier),
    DeleteDBInstance: (p) => named('db', p.dBInstanceIdentifier),
    RebootDBInstance: (p) => named('db', p.dBInstanceIdentifier),
    PromoteReadReplica: (p) => named('db', p.dBInstanceIdentifier),
    CreateDBInstanceReadReplica: (p) => named('db', p.dBInstanceIdentifier),
    AddTagsToResource: (p) => arns(p.resourceName),
    RemoveTagsFromResource: (p) => arns(p.resourceName),
  },
  'aws.monitoring': {
    PutMetricAlarm: (p) => named('alarm', p.alarmName),
    DeleteAlarms: (p) => named('alarm', p.alarmNames),
    DisableAlarmActions: (p) => named('alarm', p.alarmNames),
    EnableAlarmActions: (p) => named('alarm', p.alarmNames),
    PutDashboard: (p) => named('dashboard', p.dashboardName),
    DeleteDashboards: (p) => named('dashboard', p.dashboardNames),
    TagResource: (p) => arns(p.resourceARN),
    UntagResource: (p) => arns(p.resourceARN),
  },
};

/** The service events that report a change to one resource, named in the event's `resources`. */
export const SERVICE_EVENTS: Record<string, string[]> = {
  'aws.ecs': ['ECS Deployment State Change', 'ECS Service Action'],
  'aws.rds': ['RDS DB Instance Event'],
};

export const CLOUDTRAIL = 'AWS API Call via CloudTrail';

/** The event sources and calls the EventBridge rule lets through (see setup.ts). */
export const WATCHED = Object.fromEntries(Object.entries(CALLS).map(([source, calls]) => [source, Object.keys(calls)]));

/** The objects an event names; undefined for an event Ballast does not watch (foreign). */
export function handlesOf(event: ChangeEvent): Handle[] | undefined {
  if (event.detailType === CLOUDTRAIL) {
    const call = event.eventName ? CALLS[event.source]?.[event.eventName] : undefined;
    return call?.(event.requestParameters);
  }
  if (SERVICE_EVENTS[event.source]?.includes(event.detailType)) return event.resources.flatMap(handleOfArn);
  return undefined;
}

function touches(m: Manifest, h: Handle): boolean {
  switch (m.kind) {
    case 'EcsService':
      return h.type === 'ecs-service' && h.name === m.metadata.name;
    case 'ServiceAutoscaling':
      return h.type === 'scalable-target' && h.name === m.spec.service;
    case 'DbInstance':
      // A replica's change is its primary's: the DbInstance manifest manages its replicas.
      return h.type === 'db' && (h.name === identifierOf(m) || replicaIndex(identifierOf(m), h.name) !== undefined);
    case 'Alarm':
      return h.type === 'alarm' && h.name === m.metadata.name;
    case 'Dashboard':
      return h.type === 'dashboard' && h.name === m.metadata.name;
    default:
      return false;
  }
}

/** `Kind/name` of every manifest the handles touch. */
export function manifestsTouched(handles: Handle[], manifests: Manifest[]): string[] {
  return manifests.filter((m) => handles.some((h) => touches(m, h))).map((m) => `${m.kind}/${m.metadata.name}`);
}

/** Where the controller's own credentials act: the default target's account and region. */
export interface Home {
  account?: string;
  region?: string;
}

/**
 * The manifests placed where an event happened: those of the Target on its account and region, or those of the
 * default target when it happened at home. What an event leaves out (the emulator's have no account) is taken as home.
 */
export function manifestsWhere(event: Pick<ChangeEvent, 'account' | 'region'>, manifests: Manifest[], home: Home): Manifest[] {
  const account = event.account ?? home.account;
  const region = event.region ?? home.region;
  const target = manifests.find((t): t is Target => t.kind === 'Target' && t.spec.accountId === account && t.spec.region === region);
  if (target) return manifests.filter((m) => targetOf(m) === target.metadata.name);
  // A home not known (the controller could not tell who it is) is wherever no Target is.
  const atHome = (home.account === undefined || home.account === account) && (home.region === undefined || home.region === region);
  return atHome ? manifests.filter((m) => targetOf(m) === undefined) : [];
}

/** The identities the controller writes as: its own, and the session it takes in each Target's role. */
export function ownIdentities(self: string | undefined, manifests: Manifest[], sessionName: string): Set<string> {
  const assumed = manifests
    .filter((t): t is Target => t.kind === 'Target')
    .map((t) => `arn:aws:sts::${t.spec.accountId}:assumed-role/${t.spec.roleArn.split('/').pop()}/${sessionName}`);
  return new Set([...(self ? [self] : []), ...assumed]);
}
