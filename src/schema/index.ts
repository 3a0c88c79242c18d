import type { Static, TSchema } from '@sinclair/typebox';
import type { Kind } from './kinds.js';
import { EcsService } from './ecs-service.js';
import { ServiceAutoscaling } from './service-autoscaling.js';
import { DbInstance } from './db-instance.js';
import { Alarm } from './alarm.js';
import { Dashboard } from './dashboard.js';
import { RestoreDrill } from './restore-drill.js';
import { Target } from './target.js';

export { ANNOTATIONS, type Mode } from './common.js';
export { API_VERSION, KINDS, isKind, type Kind } from './kinds.js';
export type { EcsService } from './ecs-service.js';
export type { ServiceAutoscaling } from './service-autoscaling.js';
export type { DbInstance } from './db-instance.js';
export type { Alarm } from './alarm.js';
export type { Dashboard } from './dashboard.js';
export type { RestoreDrill } from './restore-drill.js';
export type { Target } from './target.js';

/** Every kind Ballast knows (./kinds.ts), with its schema. */
export const SCHEMAS = { EcsService, ServiceAutoscaling, DbInstance, Alarm, Dashboard, RestoreDrill, Target } as const satisfies Record<Kind, TSchema>;

export type ManifestOf<K extends Kind> = Static<(typeof SCHEMAS)[K]>;
export type Manifest = { [K in Kind]: ManifestOf<K> }[Kind];
