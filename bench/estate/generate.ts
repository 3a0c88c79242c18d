import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

/** The shape of a generated estate; the defaults are the bench estate of the performance targets. */
export interface EstateShape {
  clusters: number;
  servicesPerCluster: number;
  dbs: number;
  /** Alarms per service (CPU and memory high). */
  alarmsPerService: number;
  dashboards: number;
}

export const BENCH_ESTATE: EstateShape = { clusters: 10, servicesPerCluster: 100, dbs: 100, alarmsPerService: 2, dashboards: 10 };

/** 10,000 manifests for the validate measure: 2,450 services with their scaling, 4,900 alarms, 190 DBs, 10 dashboards. */
export const VALIDATE_ESTATE: EstateShape = { clusters: 10, servicesPerCluster: 245, dbs: 190, alarmsPerService: 2, dashboards: 10 };

const doc = (kind: string, name: string, spec: unknown) => ({ apiVersion: 'ballast.dev/v1alpha1', kind, metadata: { name, labels: { team: 'bench' } }, spec });

export const clusterName = (c: number) => `bench-${c}`;
const serviceName = (c: number, s: number) => `svc-${c}-${String(s).padStart(3, '0')}`;

/**
 * Every service has CPU and memory target tracking and `alarmsPerService` alarms; the first DB has one read replica;
 * each dashboard shows ten services. Names fit the network `createNetwork` makes (plus the clusters).
 */
/** The spec of the i-th DB of a generated estate (the bench's, and the tests' big estate): the first has a read replica. */
export const dbInstanceSpec = (i: number) => ({
  engine: 'postgres',
  engineVersion: '16',
  instanceClass: 'db.t4g.medium',
  storage: { allocatedGiB: 20 },
  masterUsername: 'app',
  // RDS cannot replicate a DB whose password it manages: the one with a replica uses the team's own secret.
  masterPassword: i === 0 ? { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/shop-db/master' } : { managedByRds: true },
  backup: { retentionDays: 7, window: '02:00-02:30' },
  maintenanceWindow: 'sun:03:00-sun:03:30',
  subnetGroup: 'shop-db',
  securityGroups: ['shop-db'],
  ...(i === 0 ? { readReplicas: { count: 1 } } : {}),
});

export function estateManifests(shape: EstateShape): { file: string; doc: unknown }[] {
  const out: { file: string; doc: unknown }[] = [];
  const services: string[] = [];
  for (let c = 0; c < shape.clusters; c++) {
    for (let s = 0; s < shape.servicesPerCluster; s++) {
      const name = serviceName(c, s);
      services.push(name);
      out.push({
        file: `services/${name}.yaml`,
        doc: doc('EcsService', name, {
          cluster: clusterName(c),
          cpu: 256,
          memory: 512,
          containers: [{ name: 'app', image: `public.ecr.aws/shop/${name}:1`, ports: [{ containerPort: 8080 }], environment: { LOG_LEVEL: 'info' } }],
          network: { subnets: ['shop-private-a', 'shop-private-b'], securityGroups: ['shop-services'] },
        }),
      });
      out.push({
        file: `autoscaling/${name}.yaml`,
        doc: doc('ServiceAutoscaling', name, { service: name, minTasks: 1, maxTasks: 4, cpu: { targetValue: 60 }, memory: { targetValue: 70 } }),
      });
      for (let a = 0; a < shape.alarmsPerService; a++) {
        const metric = a % 2 === 0 ? 'CPUUtilization' : 'MemoryUtilization';
        out.push({
          file: `alarms/${name}-${a}.yaml`,
          doc: doc('Alarm', `${name}-${metric.toLowerCase()}-${a}`, {
            metric: { namespace: 'AWS/ECS', name: metric, dimensionsFrom: { ecsService: name }, statistic: 'Average', period: 60 },
            evaluationPeriods: 3,
            threshold: 80,
            comparison: 'GreaterThanThreshold',
            actions: { alarm: ['shop-alerts'] },
          }),
        });
      }
    }
  }
  for (let i = 0; i < shape.dbs; i++) {
    const name = `db-${String(i).padStart(3, '0')}`;
    out.push({
      file: `dbs/${name}.yaml`,
      doc: doc('DbInstance', name, dbInstanceSpec(i)),
    });
  }
  for (let d = 0; d < shape.dashboards; d++) {
    const shown = services.slice(d * 10, d * 10 + 10);
    out.push({ file: `dashboards/bench-${d}.yaml`, doc: doc('Dashboard', `bench-${d}`, { generate: { ecsServices: shown } }) });
  }
  return out;
}

/** Writes one file per manifest into a fresh temp folder and returns it. */
export async function writeEstate(shape: EstateShape): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ballast-bench-estate-'));
  for (const sub of ['services', 'autoscaling', 'alarms', 'dbs', 'dashboards']) await mkdir(path.join(dir, sub));
  for (const { file, doc: d } of estateManifests(shape)) await writeFile(path.join(dir, file), stringify(d));
  return dir;
}

/**
 * The fewest reads a no-op plan of this estate can make, by operation (each API's batch limit): the compass the
 * measured counts are held against. Task definitions count only when read cold.
 */
export function batchMinimum(shape: EstateShape, cold: boolean): Record<string, number> {
  const services = shape.clusters * shape.servicesPerCluster;
  return {
    'ecs:DescribeServices': shape.clusters * Math.ceil(shape.servicesPerCluster / 10),
    ...(cold ? { 'ecs:DescribeTaskDefinition': services } : {}),
    'autoscaling:DescribeScalableTargets': Math.ceil(services / 50),
    // PolicyNames take 50, but a page holds at most 10 policies.
    'autoscaling:DescribeScalingPolicies': Math.ceil((services * 2) / 10),
    // Primaries, then the replicas (the first DB has one).
    'rds:DescribeDBInstances': Math.ceil(shape.dbs / 100) + (shape.dbs > 0 ? 1 : 0),
    'cloudwatch:DescribeAlarms': Math.ceil((services * shape.alarmsPerService) / 100),
    'cloudwatch:GetDashboard': shape.dashboards,
  };
}

/**
 * Reads a no-op plan needs besides the compass: the name lookups (one each), the ownership of alarms, whose tags
 * come from no describe call (one tagging page per 100), the one list that finds owned dashboards no manifest names,
 * and the version of the one team secret a DB names.
 */
export function lookupMinimum(shape: EstateShape): Record<string, number> {
  const alarms = shape.clusters * shape.servicesPerCluster * shape.alarmsPerService;
  return {
    'ec2:DescribeSubnets': 1,
    'ec2:DescribeSecurityGroups': 1,
    'sns:ListTopics': 1,
    'tagging:GetResources': Math.ceil(alarms / 100),
    'cloudwatch:ListDashboards': 1,
    'secretsmanager:DescribeSecret': 1,
  };
}

/** The fewest health reads after creating the whole estate: every resource checked once, batched. */
export function healthMinimum(shape: EstateShape): Record<string, number> {
  const services = shape.clusters * shape.servicesPerCluster;
  return {
    'ecs:DescribeServices': shape.clusters * Math.ceil(shape.servicesPerCluster / 10),
    'autoscaling:DescribeScalableTargets': Math.ceil(services / 50),
    'rds:DescribeDBInstances': Math.ceil(shape.dbs / 100) + (shape.dbs > 0 ? 1 : 0),
    'cloudwatch:DescribeAlarms': Math.ceil((services * shape.alarmsPerService) / 100),
    'cloudwatch:GetDashboard': shape.dashboards,
  };
}
