import type { Alarm, DbInstance, EcsService, Manifest, ServiceAutoscaling } from '../schema/index.js';
import { instanceKey, storageKey, type Deployment, type PriceTable } from './table.js';

/** AWS bills by the hour; a month is 730 of them (365 × 24 / 12), as in AWS's own calculator. */
export const HOURS_PER_MONTH = 730;

/** A monthly amount in USD; a range where the count follows load (task auto scaling, traffic-following replicas). */
export interface Money {
  low: number;
  high: number;
}

export interface CostLine {
  /** What is billed, e.g. "3..12 tasks × (0.5 vCPU + 1 GB), x86_64". */
  what: string;
  monthly: Money;
}

export interface ResourceCost {
  key: string;
  lines: CostLine[];
  monthly: Money;
}

export interface EstateCost {
  resources: ResourceCost[];
  total: Money;
  /** Resources that cost money but have no price here, and why. */
  unpriced: string[];
}

export class PriceMissing extends Error {}

const money = (low: number, high = low): Money => ({ low, high });
const times = (m: Money, n: number): Money => money(m.low * n, m.high * n);
export const sum = (ms: Money[]): Money => ms.reduce((a, b) => money(a.low + b.low, a.high + b.high), money(0));
const range = (low: number, high: number) => (low === high ? String(low) : `${low}..${high}`);

/** The monthly cost of the estate the manifests describe, per resource, from one region's price table. */
export function estimateCost(manifests: Manifest[], table: PriceTable): EstateCost {
  const price = pricer(table);
  const resources: ResourceCost[] = [];
  const unpriced: string[] = [];
  for (const m of manifests) {
    const key = `${m.kind}/${m.metadata.name}`;
    let lines: CostLine[];
    switch (m.kind) {
      case 'EcsService':
        lines = [serviceLine(m, manifests, price)];
        break;
      case 'DbInstance':
        lines = dbLines(m, price);
        break;
      case 'Alarm':
        lines = [alarmLine(m, price)];
        break;
      case 'Dashboard':
        lines = [{ what: '1 dashboard', monthly: money(price.required(table.cloudwatch.dashboardMonth, 'a CloudWatch dashboard')) }];
        break;
      case 'RestoreDrill':
        unpriced.push(`${key}: the throw-away instance exists only while a drill runs`);
        continue;
      case 'Target':
        // Names where the others run; costs nothing itself.
        continue;
      default:
        // ServiceAutoscaling is priced with its service (it sets the task count).
        continue;
    }
    resources.push({ key, lines, monthly: sum(lines.map((l) => l.monthly)) });
  }
  return { resources, total: sum(resources.map((r) => r.monthly)), unpriced };
}

function pricer(table: PriceTable) {
  return {
    required(value: number | undefined, what: string): number {
      if (value === undefined) {
        throw new PriceMissing(`no price for ${what} in the ${table.region} table (generated ${table.generatedAt.slice(0, 10)}): regenerate it with \`ballast prices update --region ${table.region}\``);
      }
      return value;
    },
    table,
  };
}
type Pricer = ReturnType<typeof pricer>;

function serviceLine(m: EcsService, manifests: Manifest[], price: Pricer): CostLine {
  const scaler = manifests.find((x): x is ServiceAutoscaling => x.kind === 'ServiceAutoscaling' && x.spec.service === m.metadata.name);
  // Without a scaler the count is fixed; ECS creates a service without one at 1 task (as Ballast does).
  const low = scaler ? scaler.spec.minTasks : (m.spec.desiredCount ?? 1);
  const high = scaler ? scaler.spec.maxTasks : low;
  // The schema states no CPU architecture: tasks run on Fargate's default, x86_64.
  const arch = 'X86_64';
  const rates = price.table.fargate[arch];
  const vcpu = m.spec.cpu / 1024;
  const gb = m.spec.memory / 1024;
  const perTaskHour =
    vcpu * price.required(rates?.vcpuHour, `Fargate vCPU (${arch})`) + gb * price.required(rates?.gbHour, `Fargate memory (${arch})`);
  const tasks = scaler ? `${range(low, high)} tasks (auto scaling min..max${m.spec.desiredCount !== undefined ? `, desired ${m.spec.desiredCount}` : ''})` : `${low} task${low === 1 ? '' : 's'}`;
  return { what: `${tasks} × (${vcpu} vCPU + ${gb} GB), Fargate ${arch.toLowerCase()}`, monthly: times(money(low, high), perTaskHour * HOURS_PER_MONTH) };
}

function dbLines(m: DbInstance, price: Pricer): CostLine[] {
  const { engine, instanceClass, storage, readReplicas } = m.spec;
  const deployment: Deployment = m.spec.multiAZ ? 'Multi-AZ' : 'Single-AZ';
  const instanceHour = (cls: string, dep: Deployment) =>
    price.required(price.table.rds.instanceHour[instanceKey(engine, cls, dep)], `RDS ${cls} ${engine} ${dep}`);
  const lines: CostLine[] = [
    { what: `${instanceClass} ${engine} ${deployment}`, monthly: money(instanceHour(instanceClass, deployment) * HOURS_PER_MONTH) },
    ...storageLines(m, deployment, price),
  ];
  if (readReplicas) {
    const cls = readReplicas.instanceClass ?? instanceClass;
    const low = readReplicas.count ?? readReplicas.min ?? 0;
    const high = readReplicas.count ?? readReplicas.max ?? low;
    // A replica is a Single-AZ instance with its own copy of the storage.
    const each = instanceHour(cls, 'Single-AZ') * HOURS_PER_MONTH + sum(storageLines(m, 'Single-AZ', price).map((l) => l.monthly)).low;
    lines.push({
      what: `${range(low, high)} read replica${high === 1 ? '' : 's'} × (${cls} Single-AZ + ${storage.allocatedGiB} GB ${storage.type ?? 'gp3'})`,
      monthly: times(money(low, high), each),
    });
  }
  return lines;
}

function storageLines(m: DbInstance, deployment: Deployment, price: Pricer): CostLine[] {
  const { allocatedGiB, iops } = m.spec.storage;
  const type = m.spec.storage.type ?? 'gp3';
  const key = storageKey(type, deployment);
  const lines: CostLine[] = [
    { what: `${allocatedGiB} GB ${type} storage, ${deployment}`, monthly: money(allocatedGiB * price.required(price.table.rds.storageGbMonth[key], `RDS ${type} storage ${deployment}`)) },
  ];
  // gp3 includes 3,000 IOPS below 400 GB and 12,000 from 400 GB on; io1/io2 bill every provisioned IOPS.
  const included = type === 'gp3' ? (allocatedGiB < 400 ? 3000 : 12000) : 0;
  const billed = Math.max(0, (iops ?? 0) - included);
  if (billed > 0) {
    lines.push({ what: `${billed} provisioned IOPS (${type}), ${deployment}`, monthly: money(billed * price.required(price.table.rds.iopsMonth[key], `RDS ${type} IOPS ${deployment}`)) });
  }
  return lines;
}

function alarmLine(m: Alarm, price: Pricer): CostLine {
  const metrics = m.spec.metric ? [m.spec.metric] : Object.values(m.spec.metrics ?? {});
  // CloudWatch bills an alarm per metric it evaluates; periods under a minute are high resolution.
  const highRes = metrics.some((x) => (x.period ?? 60) < 60);
  const cw = price.table.cloudwatch;
  const each = highRes ? price.required(cw.highResAlarmMetricMonth, 'a high-resolution CloudWatch alarm metric') : price.required(cw.alarmMetricMonth, 'a CloudWatch alarm metric');
  return { what: `${metrics.length} alarm metric${metrics.length === 1 ? '' : 's'}${highRes ? ', high resolution' : ''}`, monthly: money(metrics.length * each) };
}
