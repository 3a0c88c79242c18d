import type { PricedProduct } from './offers.js';
import { instanceKey, storageKey, type Architecture, type Deployment, type PriceTable } from './table.js';

/** The offers a table is made of, with the filters `prices update` hands to GetProducts. */
export const OFFERS = ['AmazonECS', 'AmazonRDS', 'AmazonCloudWatch'] as const;

const ENGINES: Record<string, string> = { PostgreSQL: 'postgres', MySQL: 'mysql', MariaDB: 'mariadb' };
const VOLUMES: Record<string, string> = {
  'General Purpose-GP3': 'gp3',
  'General Purpose': 'gp2',
  'Provisioned IOPS': 'io1',
  'Provisioned IOPS-IO2': 'io2',
};
const FARGATE: Record<string, [Architecture, 'vcpuHour' | 'gbHour']> = {
  'Fargate-vCPU-Hours:perCPU': ['X86_64', 'vcpuHour'],
  'Fargate-GB-Hours': ['X86_64', 'gbHour'],
  'Fargate-ARM-vCPU-Hours:perCPU': ['ARM64', 'vcpuHour'],
  'Fargate-ARM-GB-Hours': ['ARM64', 'gbHour'],
};
const CLOUDWATCH: Record<string, keyof PriceTable['cloudwatch']> = {
  'CW:AlarmMonitorUsage': 'alarmMetricMonth',
  'CW:HighResAlarmMonitorUsage': 'highResAlarmMetricMonth',
  DashboardsUsageHour: 'dashboardMonth',
};

/** Usage types carry a region prefix everywhere but in some us-east-1 offers ("USE1-", "EUW1-", "APN1-", …). */
const usage = (p: PricedProduct) => (p.attributes.usagetype ?? '').replace(/^[A-Z]{2,4}\d-/, '');

/** The price of the first paid tier: free tiers of an account are not the estate's cost. */
const price = (p: PricedProduct) => p.dimensions.find((d) => d.usd > 0)?.usd;

const deployment = (p: PricedProduct): Deployment | undefined =>
  p.attributes.deploymentOption === 'Single-AZ' || p.attributes.deploymentOption === 'Multi-AZ' ? p.attributes.deploymentOption : undefined;

/** Builds the compact table of one region from priced products of the three offers; what it needs and nothing else. */
export function buildPriceTable(region: string, products: PricedProduct[], source: string, now = new Date()): PriceTable {
  const table: PriceTable = {
    region,
    currency: 'USD',
    source,
    generatedAt: now.toISOString(),
    offers: {},
    fargate: {},
    rds: { instanceHour: {}, storageGbMonth: {}, iopsMonth: {} },
    cloudwatch: {},
  };
  for (const p of products) {
    if (p.attributes.regionCode !== region) continue;
    const usd = price(p);
    if (usd === undefined) continue;
    const used = take(table, p, usd);
    if (used) table.offers[p.offerCode] ??= { version: p.version, publicationDate: p.publicationDate };
  }
  const missing = OFFERS.filter((o) => !table.offers[o]);
  if (missing.length > 0) throw new Error(`no ${region} prices found in ${missing.join(', ')}: give the offer files of that region (or check the region name)`);
  return table;
}

function take(table: PriceTable, p: PricedProduct, usd: number): boolean {
  const u = usage(p);
  const a = p.attributes;
  switch (p.offerCode) {
    case 'AmazonECS': {
      const slot = FARGATE[u];
      if (!slot) return false;
      const [arch, field] = slot;
      table.fargate[arch] = { ...table.fargate[arch], [field]: usd };
      return true;
    }
    case 'AmazonRDS': {
      const dep = deployment(p);
      if (!dep) return false;
      if (p.productFamily === 'Database Instance' && a.instanceType && ENGINES[a.databaseEngine ?? ''] && !a.databaseEdition) {
        table.rds.instanceHour[instanceKey(ENGINES[a.databaseEngine!]!, a.instanceType, dep)] = usd;
        return true;
      }
      const type = VOLUMES[a.volumeType ?? ''];
      if (!type) return false;
      // Storage is priced alike for the open-source engines; the first price seen for a type stands.
      if (p.productFamily === 'Database Storage') table.rds.storageGbMonth[storageKey(type, dep)] ??= usd;
      else if (p.productFamily === 'Provisioned IOPS') table.rds.iopsMonth[storageKey(type, dep)] ??= usd;
      else return false;
      return true;
    }
    case 'AmazonCloudWatch': {
      const field = CLOUDWATCH[u];
      if (!field) return false;
      table.cloudwatch[field] = usd;
      return true;
    }
    default:
      return false;
  }
}
