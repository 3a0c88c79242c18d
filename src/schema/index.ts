import type { Static } from '@sinclair/typebox';
import { EcsService } from './ecs-service.js';
import { ServiceAutoscaling } from './service-autoscaling.js';
import { DbInstance } from './db-instance.js';
import { Alarm } from './alarm.js';
import { Dashboard } from './dashboard.js';
import { RestoreDrill } from './restore-drill.js';
import { Target } from './target.js';

export { API_VERSION, ANNOTATIONS, type Mode } from './common.js';
export type { EcsService } from './ecs-service.js';
export type { ServiceAutoscaling } from './service-autoscaling.js';
export type { DbInstance } from './db-instance.js';
export type { Alarm } from './alarm.js';
export type { Dashboard } from './dashboard.js';
export type { RestoreDrill } from './restore-drill.js';
export type { Target } from './target.js';

/** Every kind Ballast knows, with its schema. Order is the order kinds are listed in output. */
export const SCHEMAS = { EcsService, ServiceAutoscaling, DbInstance, Alarm, Dashboard, RestoreDrill, Target } as const;
export type Kind = keyof typeof SCHEMAS;
export const KINDS = Object.keys(SCHEMAS) as Kind[];

export type ManifestOf<K extends Kind> = Static<(typeof SCHEMAS)[K]>;
export type Manifest = { [K in Kind]: ManifestOf<K> }[Kind];

export function isKind(value: unknown): value is Kind {
  return typeof value === 'string' && Object.hasOwn(SCHEMAS, value);
}
