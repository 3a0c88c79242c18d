import type { Aws } from '../../../src/aws/clients.js';
import type { Manifest } from '../../../src/schema/index.js';
import type { Network } from '../../../src/demo/network.js';
import { buildEcsServices } from './ecs-service.js';
import { buildServiceAutoscaling } from './service-autoscaling.js';
import { buildShopDb } from './db-instance.js';
import { createShopAlarms } from './alarm.js';
import { createShopDashboard } from './dashboard.js';

/** The whole desired-state/ estate, made directly through the SDK (not through Ballast), owned by `ballast`. */
export async function buildShopEstate(aws: Aws, net: Network, manifests: Manifest[]): Promise<void> {
  await buildEcsServices(aws, net, manifests, 'ballast');
  await buildServiceAutoscaling(aws, net, manifests);
  await buildShopDb(aws, net, manifests, { replicas: 1 });
  await createShopAlarms(aws, net, manifests);
  await createShopDashboard(aws, net);
}
