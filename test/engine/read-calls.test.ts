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

describe('observe reads', () => {
  it('make the minimum number of calls the APIs allow for a 25-service estate, and never re-read a task definition', async () => {
    const aws = moto.aws();
    await createNetwork(aws);
    const revision = await loadRevision(await writeBigEstate());
    expect(revision.problems).toEqual([]);

    const creator = createSession(aws, { controllerId: 'ballast' });
    const created = await observeAndPlan(revision.manifests, creator, RECONCILERS, settings);
    const result = await applyPlan(created.plan, revision.manifests, created.observed.ctx, RECONCILERS, { timeouts: DEFAULT_TIMEOUTS, pollIntervalMs: 10 });
    expect(result.actions.filter((a) => a.state !== 'done')).toEqual([]);

    aws.counter.reset();
    const recorder = new EmulatorRecorder(moto.endpoint);
    await recorder.start();
    const session = createSession(aws, { controllerId: 'ballast' });
    const { plan } = await observeAndPlan(revision.manifests, session, RECONCILERS, settings);
    const received = await recorder.stop();
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
      // Dashboards carry no tags: one list finds those owned and in no manifest (for prune).
      'cloudwatch:ListDashboards:success': 1,
      // The version of each master password secret the DBs name (no value read).
      'secretsmanager:DescribeSecret:success': 1,
    };
    expect(aws.counter.summary()).toEqual(expected);
    expect(aws.counter.calls).toHaveLength(46);
    // The emulator's own record agrees: no request escaped the count.
    expect(summary(received)).toEqual(expected);

    // Revisions are immutable: the same process never reads one twice.
    aws.counter.reset();
    await observeAndPlan(revision.manifests, session, RECONCILERS, settings);
    expect(aws.counter.summary()['ecs:DescribeTaskDefinition:success']).toBeUndefined();
    expect(aws.counter.calls).toHaveLength(46 - SERVICES);
  });
});
