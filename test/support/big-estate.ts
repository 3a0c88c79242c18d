import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDir } from './temp.js';
import { stringify } from 'yaml';
import { dbInstanceSpec } from '../../bench/estate/generate.js';

export const SERVICES = 25;
export const DBS = 3;
export const ALARMS = 120;

const doc = (kind: string, name: string, spec: unknown) => ({ apiVersion: 'ballast.dev/v1alpha1', kind, metadata: { name }, spec });

/** 25 services (one behind the NLB) each with CPU and memory target tracking, 3 DBs (one with a replica), 120 alarms. */
export function bigEstate(): unknown[] {
  const docs: unknown[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const name = `svc-${String(i).padStart(2, '0')}`;
    docs.push(
      doc('EcsService', name, {
        cluster: 'shop',
        cpu: 256,
        memory: 512,
        containers: [{ name: 'app', image: `public.ecr.aws/shop/${name}:1`, ports: [{ containerPort: 8080 }] }],
        network: { subnets: ['shop-private-a', 'shop-private-b'], securityGroups: ['shop-services'] },
        ...(i === 0 ? { loadBalancer: { targetGroup: 'shop-storefront', containerName: 'app', containerPort: 8080 } } : {}),
      }),
      doc('ServiceAutoscaling', name, { service: name, minTasks: 1, maxTasks: 4, cpu: { targetValue: 60 }, memory: { targetValue: 70 } }),
    );
  }
  for (let i = 0; i < DBS; i++) {
    docs.push(
      doc('DbInstance', `db-${i}`, dbInstanceSpec(i)),
    );
  }
  for (let i = 0; i < ALARMS; i++) {
    const service = `svc-${String(i % SERVICES).padStart(2, '0')}`;
    docs.push(
      doc('Alarm', `alarm-${String(i).padStart(3, '0')}`, {
        metric: { namespace: 'AWS/ECS', name: 'CPUUtilization', dimensionsFrom: { ecsService: service } },
        evaluationPeriods: 3,
        threshold: 50 + (i % 40),
        comparison: 'GreaterThanThreshold',
        actions: { alarm: ['shop-alerts'] },
      }),
    );
  }
  return docs;
}


/** The big estate as one manifest file in a fresh temp folder; returns the folder. */
export async function writeBigEstate(): Promise<string> {
  const dir = await tempDir('big');
  await writeFile(path.join(dir, 'estate.yaml'), bigEstate().map((d) => stringify(d)).join('---\n'));
  return dir;
}
