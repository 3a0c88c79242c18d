import { PutDashboardCommand } from '@aws-sdk/client-cloudwatch';
import type { Aws } from '../../../src/aws/clients.js';
import type { Network } from '../../../src/demo/network.js';

const REGION = 'us-east-1';
const elbDimension = (arn: string) => arn.split(':')[5]!.replace(/^loadbalancer\//, '');

type Line = (string | { label: string })[];

const metric = (title: string, x: number, y: number, width: number, stat: string, metrics: Line[]) => ({
  type: 'metric',
  x,
  y,
  width,
  height: 6,
  properties: { title, region: REGION, view: 'timeSeries', stat, period: 60, metrics },
});

const rds = (name: string, ids: string[]): Line[] => ids.map((id) => ['AWS/RDS', name, 'DBInstanceIdentifier', id, { label: id }]);

/**
 * The body desired-state/dashboards/shop.yaml stands for, written out by hand: the two stated widgets, a row per
 * ECS service, the storefront NLB row, the shop-db row (replicas 1..3, its max) and the ownership note.
 */
export function shopDashboardBody(net: Network, controllerId = 'ballast') {
  const ecs = (service: string, y: number) => {
    const dims = ['ClusterName', 'shop', 'ServiceName', service];
    return [
      metric(`${service}: CPU %`, 0, y, 8, 'Average', [['AWS/ECS', 'CPUUtilization', ...dims]]),
      metric(`${service}: memory %`, 8, y, 8, 'Average', [['AWS/ECS', 'MemoryUtilization', ...dims]]),
      metric(`${service}: running tasks`, 16, y, 8, 'Average', [['ECS/ContainerInsights', 'RunningTaskCount', ...dims]]),
    ];
  };
  const nlb = (name: string): Line => [
    'AWS/NetworkELB',
    name,
    'TargetGroup',
    elbDimension(net.targetGroups['shop-storefront']!),
    'LoadBalancer',
    elbDimension(net.loadBalancerArn),
  ];
  const all = ['shop-db', 'shop-db-replica-1', 'shop-db-replica-2', 'shop-db-replica-3'];
  return {
    widgets: [
      {
        type: 'text',
        x: 0,
        y: 0,
        width: 24,
        height: 2,
        properties: {
          markdown:
            '# Shop\nStorefront, checkout, catalog and worker on Fargate; shop-db on RDS. Managed by Ballast from Git: console edits are reverted.',
        },
      },
      { type: 'alarm', x: 0, y: 2, width: 24, height: 3, properties: { title: 'Alarms', alarms: [] } },
      ...ecs('storefront', 5),
      ...ecs('checkout', 11),
      ...ecs('catalog', 17),
      ...ecs('worker', 23),
      metric('storefront: NLB targets', 0, 29, 12, 'Average', [nlb('HealthyHostCount'), nlb('UnHealthyHostCount')]),
      metric('storefront: TCP resets', 12, 29, 12, 'Sum', [nlb('TCP_Target_Reset_Count'), nlb('TCP_Client_Reset_Count')]),
      metric('shop-db: CPU %', 0, 35, 6, 'Average', rds('CPUUtilization', all)),
      metric('shop-db: connections', 6, 35, 6, 'Maximum', rds('DatabaseConnections', all)),
      metric('shop-db: replica lag (s)', 12, 35, 6, 'Maximum', rds('ReplicaLag', all.slice(1))),
      metric('shop-db: free storage (bytes)', 18, 35, 6, 'Minimum', rds('FreeStorageSpace', ['shop-db'])),
      {
        type: 'text',
        x: 0,
        y: 41,
        width: 24,
        height: 1,
        properties: { markdown: `Managed by Ballast from Git: change the manifest, not this dashboard. \`ballast.dev/managed-by=${controllerId}\`` },
      },
    ],
    periodOverride: 'auto',
  };
}

/** desired-state/'s shop dashboard, put straight through the SDK. */
export async function createShopDashboard(aws: Aws, net: Network, controllerId = 'ballast'): Promise<void> {
  await aws.cloudwatch.send(new PutDashboardCommand({ DashboardName: 'shop', DashboardBody: JSON.stringify(shopDashboardBody(net, controllerId)) }));
}
