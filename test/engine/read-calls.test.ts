import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadRevision } from '../../src/validate/index.js';
import { createSession } from '../../src/observe/context.js';
import { observeAndPlan } from '../../src/engine/pipeline.js';
import { applyPlan, DEFAULT_TIMEOUTS } from '../../src/apply/index.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';

const moto = useMoto();
const SERVICES = 25;
const DBS = 3;
const ALARMS = 120;
const settings = { defaultMode: 'enforce' as const, prune: false };

const doc = (kind: string, name: string, spec: unknown) => ({ apiVersion: 'ballast.dev/v1alpha1', kind, metadata: { name }, spec });

/** 25 services (one behind the NLB) each with CPU and memory target tracking, 3 DBs (one with a replica), 120 alarms. */
function bigEstate(): unknown[] {
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
      doc('DbInstance', `db-${i}`, {
        engine: 'postgres',
        engineVersion: '16',
        instanceClass: 'db.t4g.medium',
        storage: { allocatedGiB: 20 },
        masterUsername: 'app',
        backup: { retentionDays: 7, window: '02:00-02:30' },
        maintenanceWindow: 'sun:03:00-sun:03:30',
        subnetGroup: 'shop-db',
        securityGroups: ['shop-db'],
        ...(i === 0 ? { readReplicas: { count: 1 } } : {}),
      }),
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

describe('observe reads', () => {
  it('make the minimum number of calls the APIs allow for a 25-service estate, and never re-read a task definition', async () => {
    const aws = moto.aws();
    await createNetwork(aws);
    const dir = await mkdtemp(path.join(tmpdir(), 'ballast-big-'));
    await writeFile(path.join(dir, 'estate.yaml'), bigEstate().map((d) => stringify(d)).join('---\n'));
    const revision = await loadRevision(dir);
    expect(revision.problems).toEqual([]);

    const creator = createSession(aws, { controllerId: 'ballast' });
    const created = await observeAndPlan(revision.manifests, creator, RECONCILERS, settings);
    const result = await applyPlan(created.plan, revision.manifests, created.observed.ctx, RECONCILERS, { timeouts: DEFAULT_TIMEOUTS, pollIntervalMs: 10 });
    expect(result.actions.filter((a) => a.state !== 'done')).toEqual([]);

    aws.counter.reset();
    const session = createSession(aws, { controllerId: 'ballast' });
    const { plan } = await observeAndPlan(revision.manifests, session, RECONCILERS, settings);
    expect(plan.actions).toEqual([]);
    const owned = SERVICES + DBS + 1 + ALARMS; // services, DBs, one replica, alarms
    const expected = {
      // References: one batched read per kind of network piece named in the manifests.
      'ec2:DescribeSubnets:success': 1,
      'ec2:DescribeSecurityGroups:success': 1,
      'elbv2:DescribeTargetGroups:success': 1,
      'sns:ListTopics:success': 1,
      // Ownership of every taggable kind at once, 100 ARNs a page.
      'tagging:GetResources:success': Math.ceil(owned / 100),
      // 10 services a call per cluster; each distinct task definition revision once.
      'ecs:DescribeServices:success': Math.ceil(SERVICES / 10),
      'ecs:DescribeTaskDefinition:success': SERVICES,
      // 50 targets a call; policies 10 a page.
      'autoscaling:DescribeScalableTargets:success': Math.ceil(SERVICES / 50),
      'autoscaling:DescribeScalingPolicies:success': Math.ceil((2 * SERVICES) / 10),
      // Primaries, then their replicas, 100 a page each.
      'rds:DescribeDBInstances:success': Math.ceil(DBS / 100) + Math.ceil(1 / 100),
      // 100 alarm names a call.
      'cloudwatch:DescribeAlarms:success': Math.ceil(ALARMS / 100),
    };
    expect(aws.counter.summary()).toEqual(expected);
    expect(aws.counter.calls).toHaveLength(44);

    // Revisions are immutable: the same process never reads one twice.
    aws.counter.reset();
    await observeAndPlan(revision.manifests, session, RECONCILERS, settings);
    expect(aws.counter.summary()['ecs:DescribeTaskDefinition:success']).toBeUndefined();
    expect(aws.counter.calls).toHaveLength(44 - SERVICES);
  });
});
