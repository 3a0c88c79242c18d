import { describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';
import { createSession } from '../../src/observe/context.js';
import { observeAndPlan } from '../../src/engine/pipeline.js';
import { applyPlan, DEFAULT_TIMEOUTS } from '../../src/apply/index.js';
import { RECONCILERS } from '../../src/reconcilers/index.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { ALARMS, DBS, SERVICES, writeBigEstate } from '../support/big-estate.js';
import { EmulatorRecorder, type ReceivedCall } from '../support/recorder.js';

const moto = useMoto();
const settings = { defaultMode: 'enforce' as const, prune: false };

/** The requests the emulator received, counted like Ballast's own summary (every one answered). */
function summary(received: ReceivedCall[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of received) out[`${r.service}:${r.operation}:success`] = (out[`${r.service}:${r.operation}:success`] ?? 0) + 1;
  return out;
}

/** The resource types the ownership reads (tagging GetResources without a tag value filter) asked for. */
function typesRead(received: ReceivedCall[]): string[] {
  const reads = received.filter((r) => r.operation === 'GetResources');
  return [...new Set(reads.flatMap((r) => (r.input.ResourceTypeFilters as string[] | undefined) ?? []))].sort();
}

describe('observe reads', () => {
  it('make the minimum number of calls the APIs allow for a 25-service estate, and never re-read a task definition', async () => {
    const aws = moto.aws();
    await createNetwork(aws);
    // Rollouts that are done at the first health read, however fast the creations: the reads counted are the batching's.
    await moto.setRolloutSeconds(0);
    const revision = await loadRevision(await writeBigEstate());
    expect(revision.problems).toEqual([]);

    const creator = createSession(aws, { controllerId: 'ballast' });
    const created = await observeAndPlan(revision.manifests, creator, RECONCILERS, settings);
    aws.counter.reset();
    const result = await applyPlan(created.plan, revision.manifests, created.observed.ctx, RECONCILERS, { timeouts: DEFAULT_TIMEOUTS, pollIntervalMs: 10 });
    expect(result.actions.filter((a) => a.state !== 'done')).toEqual([]);
    expect(result.health.every((h) => h.steady)).toBe(true);
    // Health checks of resources that finish together share their reads, batched as observe batches them.
    const health = aws.counter.reads();
    const healthReads = (operation: string) => health.filter((c) => c.operation === operation).length;
    expect(healthReads('DescribeAlarms')).toBe(Math.ceil(ALARMS / 100));
    expect(healthReads('DescribeScalableTargets')).toBe(Math.ceil(SERVICES / 50));
    expect(healthReads('DescribeServices')).toBeLessThanOrEqual(Math.ceil(SERVICES / 10) + 1);
    // db-0 waits for its primary (1 read), then for its replica (primary, replica: 2); at the end the primaries
    // together, then the replica (2). One read per DB and replica would be 3 + 2 + 3 = 8.
    expect(healthReads('DescribeDBInstances')).toBeLessThanOrEqual(5);

    aws.counter.reset();
    const recorder = new EmulatorRecorder(moto.endpoint);
    await recorder.start();
    const session = createSession(aws, { controllerId: 'ballast' });
    const { plan } = await observeAndPlan(revision.manifests, session, RECONCILERS, settings);
    const received = await recorder.stop();
    expect(plan.actions).toEqual([]);
    const expected = {
      // References: one batched read per kind of network piece named in the manifests.
      'ec2:DescribeSubnets:success': 1,
      'ec2:DescribeSecurityGroups:success': 1,
      'elbv2:DescribeTargetGroups:success': 1,
      'sns:ListTopics:success': 1,
      // Ownership of alarms, 100 ARNs a page: services and DBs bring their tags along in their describe calls.
      'tagging:GetResources:success': Math.ceil(ALARMS / 100),
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
      // Dashboards carry no tags: one list finds those owned and in no manifest (for prune).
      'cloudwatch:ListDashboards:success': 1,
      // The version of each master password secret the DBs name (no value read).
      'secretsmanager:DescribeSecret:success': 1,
    };
    expect(aws.counter.summary()).toEqual(expected);
    expect(aws.counter.calls).toHaveLength(46);
    // The emulator's own record agrees: no request escaped the count.
    expect(summary(received)).toEqual(expected);
    expect(typesRead(received)).toEqual(['cloudwatch:alarm']);

    // Revisions are immutable: the same process never reads one twice.
    aws.counter.reset();
    await observeAndPlan(revision.manifests, session, RECONCILERS, settings);
    expect(aws.counter.summary()['ecs:DescribeTaskDefinition:success']).toBeUndefined();
    expect(aws.counter.calls).toHaveLength(46 - SERVICES);

    // Prune has to find what no manifest names: then the ownership read covers services and DBs too.
    aws.counter.reset();
    await recorder.start();
    await observeAndPlan(revision.manifests, session, RECONCILERS, { ...settings, prune: true });
    const pruning = await recorder.stop();
    const owned = SERVICES + DBS + 1 + ALARMS; // services, DBs, one replica, alarms
    expect(aws.counter.summary()['tagging:GetResources:success']).toBe(Math.ceil(owned / 100));
    expect(typesRead(pruning)).toEqual(['cloudwatch:alarm', 'ecs:service', 'rds:db']);
  });
});
