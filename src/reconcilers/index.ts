import type { Registry } from '../engine/registry.js';
import { ecsService } from './ecs-service/index.js';
import { serviceAutoscaling } from './service-autoscaling/index.js';
import { dbInstance } from './db-instance/index.js';
import { alarm } from './alarm/index.js';
import { dashboard } from './dashboard/index.js';

export const RECONCILERS: Registry = {
  EcsService: ecsService,
  ServiceAutoscaling: serviceAutoscaling,
  DbInstance: dbInstance,
  Alarm: alarm,
  Dashboard: dashboard,
};
