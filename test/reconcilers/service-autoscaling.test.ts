import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { UpdateServiceCommand } from '@aws-sdk/client-ecs';
import {
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import type { Aws } from '../../src/aws/clients.js';
import type { Manifest, ServiceAutoscaling } from '../../src/schema/index.js';
import type { FieldChange, Step } from '../../src/engine/types.js';
import { loadRevision } from '../../src/validate/index.js';
import { createSession } from '../../src/observe/context.js';
import { observeContext } from '../support/context.js';
import { sendCall } from '../../src/apply/send.js';
import { serviceAutoscaling, type LiveServiceAutoscaling } from '../../src/reconcilers/service-autoscaling/index.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { buildServiceAutoscaling, ensureServices } from '../support/estate/service-autoscaling.js';

const moto = useMoto();
let manifests: Manifest[];

beforeAll(async () => {
  const revision = await loadRevision(fileURLToPath(new URL('../../desired-state', import.meta.url)));
  expect(revision.problems).toEqual([]);
  manifests = revision.manifests;
});

const autoscalings = (ms: Manifest[]) => ms.filter((m): m is ServiceAutoscaling => m.kind === 'ServiceAutoscaling');

/** Observes every ServiceAutoscaling of `ms` and diffs the ones found. */
async function plan(aws: Aws, ms: Manifest[] = manifests) {
  const ctx = await observeContext(createSession(aws, { controllerId: 'ballast' }), ms, []);
  const observed = await serviceAutoscaling.observe(autoscalings(ms), ctx);
  const changes = new Map<string, FieldChange[]>();
  const steps = new Map<string, Step[]>();
  for (const m of autoscalings(ms)) {
    const o = observed.get(m.metadata.name);
    if (o?.state === 'error') throw new Error(`${m.metadata.name}: ${o.error.code} ${o.error.message}`);
    const live = o?.state === 'found' ? o.live : undefined;
    const diff = live ? serviceAutoscaling.diff(m, live, ctx) : [];
    changes.set(m.metadata.name, diff);
    steps.set(m.metadata.name, !live || diff.length > 0 ? serviceAutoscaling.steps(m, live, diff, ctx) : []);
  }
  return { observed, changes, steps, ctx };
}

/** Sends every step in order (a resource's steps come target first, which is what their `after` asks). */
async function apply(aws: Aws, steps: Map<string, Step[]>): Promise<void> {
  for (const list of steps.values()) for (const step of list) for (const call of step.calls) await sendCall(aws, call);
}

/** Each write as [operation, the policy or action it names]. */
const written = (aws: Aws) =>
  aws.counter.writes().map((c) => {
    const input = c.input as Record<string, unknown>;
    return [c.operation, input.PolicyName ?? input.ScheduledActionName];
  });

const target = (service: string) => ({ ServiceNamespace: 'ecs' as const, ResourceId: `service/shop/${service}`, ScalableDimension: 'ecs:service:DesiredCount' as const });

/** An out-of-band edit of one target-tracking policy, sent whole as the console would. */
function putPolicy(aws: Aws, service: string, slot: 'cpu' | 'memory', overrides: { TargetValue?: number; ScaleInCooldown?: number; ScaleOutCooldown?: number }) {
  return aws.autoscaling.send(
    new PutScalingPolicyCommand({
      ...target(service),
      PolicyName: `${service}-${slot}`,
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: slot === 'cpu' ? 60 : 75,
        PredefinedMetricSpecification: { PredefinedMetricType: slot === 'cpu' ? 'ECSServiceAverageCPUUtilization' : 'ECSServiceAverageMemoryUtilization' },
        ScaleInCooldown: 300,
        ScaleOutCooldown: 60,
        DisableScaleIn: false,
        ...overrides,
      },
    }),
  );
}

/** A copy of the revision with one ServiceAutoscaling spec edited. */
function edit(name: string, change: (spec: ServiceAutoscaling['spec']) => void): Manifest[] {
  return manifests.map((m) => {
    if (m.kind !== 'ServiceAutoscaling' || m.metadata.name !== name) return m;
    const copy = structuredClone(m);
    change(copy.spec);
    return copy;
  });
}

describe('ServiceAutoscaling reconciler', () => {
  it('finds an estate built by hand to match desired-state/ owned and unchanged', async () => {
    const aws = moto.aws();
    await buildServiceAutoscaling(aws, await createNetwork(aws), manifests);
    const { observed, changes } = await plan(moto.aws());
    expect([...observed.keys()].sort()).toEqual(['catalog', 'checkout', 'storefront', 'worker']);
    for (const o of observed.values()) expect(o).toMatchObject({ state: 'found', owned: true });
    expect(observed.get('storefront')).toEqual({
      state: 'found',
      owned: true,
      live: {
        resourceId: 'service/shop/storefront',
        minTasks: 3,
        maxTasks: 12,
        cpu: { metric: 'ECSServiceAverageCPUUtilization', targetValue: 60, scaleInCooldown: 300, scaleOutCooldown: 60, disableScaleIn: false },
        memory: { metric: 'ECSServiceAverageMemoryUtilization', targetValue: 75, scaleInCooldown: 300, scaleOutCooldown: 60, disableScaleIn: false },
      } satisfies LiveServiceAutoscaling,
    });
    expect(Object.fromEntries(changes)).toEqual({ catalog: [], checkout: [], storefront: [], worker: [] });
  });

  it('reports exactly the out-of-band edits, and not the desired count the scaling itself moves', async () => {
    const aws = moto.aws();
    await buildServiceAutoscaling(aws, await createNetwork(aws), manifests);
    await putPolicy(aws, 'catalog', 'cpu', { TargetValue: 80 });
    await putPolicy(aws, 'checkout', 'memory', { ScaleInCooldown: 120 });
    await aws.autoscaling.send(new RegisterScalableTargetCommand({ ...target('storefront'), MinCapacity: 3, MaxCapacity: 20 }));
    await aws.ecs.send(new UpdateServiceCommand({ cluster: 'shop', service: 'worker', desiredCount: 4 }));

    const { changes } = await plan(moto.aws());
    expect(Object.fromEntries(changes)).toEqual({
      catalog: [{ path: 'spec.cpu.targetValue', live: 80, desired: 60 }],
      checkout: [{ path: 'spec.memory.scaleInCooldown', live: 120, desired: 300 }],
      storefront: [{ path: 'spec.maxTasks', live: 20, desired: 12 }],
      worker: [],
    });
  });

  it('creates targets then policies on services without scaling, and fixes a cooldown drift with one call', async () => {
    const aws = moto.aws();
    await ensureServices(aws, await createNetwork(aws), manifests);
    const created = await plan(aws);
    for (const o of created.observed.values()) expect(o).toEqual({ state: 'missing' });
    const storefront = created.steps.get('storefront')!;
    expect(storefront.map((s) => [s.part, s.op, s.after])).toEqual([
      ['target', 'create', undefined],
      ['policies', 'create', ['target']],
    ]);
    expect(storefront.flatMap((s) => s.calls.map((c) => c.operation))).toEqual(['RegisterScalableTarget', 'PutScalingPolicy', 'PutScalingPolicy']);
    // A new target carries the ownership tags (the API takes them only at creation).
    expect(storefront[0]!.calls[0]!.input.Tags).toEqual({ 'ballast.dev/managed-by': 'ballast', 'ballast.dev/manifest': 'ServiceAutoscaling/storefront' });
    const storefrontManifest = autoscalings(manifests).find((m) => m.metadata.name === 'storefront')!;
    expect(await serviceAutoscaling.health(storefrontManifest, created.ctx)).toMatchObject({ steady: false });
    await apply(aws, created.steps);
    expect(await serviceAutoscaling.health(storefrontManifest, created.ctx)).toMatchObject({ steady: true });
    expect(Object.fromEntries((await plan(moto.aws())).changes)).toEqual({ catalog: [], checkout: [], storefront: [], worker: [] });

    await putPolicy(aws, 'storefront', 'cpu', { ScaleOutCooldown: 120 });
    const drifted = await plan(aws);
    expect(drifted.changes.get('storefront')).toEqual([{ path: 'spec.cpu.scaleOutCooldown', live: 120, desired: 60 }]);
    aws.counter.reset();
    await apply(aws, drifted.steps);
    expect(aws.counter.writes().map((c) => [c.operation, c.input])).toEqual([
      [
        'PutScalingPolicy',
        {
          ...target('storefront'),
          PolicyName: 'storefront-cpu',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: 60,
            PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
            ScaleInCooldown: 300,
            ScaleOutCooldown: 60,
            DisableScaleIn: false,
          },
        },
      ],
    ]);
    expect((await plan(moto.aws())).changes.get('storefront')).toEqual([]);
  });

  it('manages scheduled actions it states and deletes policies and actions the manifest dropped', async () => {
    const aws = moto.aws();
    await buildServiceAutoscaling(aws, await createNetwork(aws), manifests);
    const night = { name: 'night', schedule: 'cron(0 22 * * ? *)', timezone: 'Europe/Berlin', minTasks: 1, maxTasks: 3 };
    const withNight = edit('storefront', (spec) => (spec.scheduledActions = [night]));
    const added = await plan(aws, withNight);
    expect(added.changes.get('storefront')).toEqual([{ path: 'spec.scheduledActions[night]', live: null, desired: night }]);
    aws.counter.reset();
    await apply(aws, added.steps);
    expect(written(aws)).toEqual([['PutScheduledAction', 'storefront-night']]);
    expect((await plan(aws, withNight)).changes.get('storefront')).toEqual([]);

    await aws.autoscaling.send(
      new PutScheduledActionCommand({
        ...target('storefront'),
        ScheduledActionName: 'storefront-night',
        Schedule: 'cron(0 23 * * ? *)',
        Timezone: 'Europe/Berlin',
        ScalableTargetAction: { MinCapacity: 1, MaxCapacity: 3 },
      }),
    );
    expect((await plan(aws, withNight)).changes.get('storefront')).toEqual([
      { path: 'spec.scheduledActions[night].schedule', live: 'cron(0 23 * * ? *)', desired: 'cron(0 22 * * ? *)' },
    ]);

    // `scheduledActions: []` removes Ballast's actions; dropping the memory block removes that policy.
    const dropped = edit('storefront', (spec) => {
      spec.scheduledActions = [];
      delete spec.memory;
    });
    const removal = await plan(aws, dropped);
    expect(removal.changes.get('storefront')!.map((c) => [c.path, c.desired])).toEqual([
      ['spec.memory', null],
      ['spec.scheduledActions[night]', null],
    ]);
    aws.counter.reset();
    await apply(aws, removal.steps);
    expect(written(aws)).toEqual([
      ['DeleteScalingPolicy', 'storefront-memory'],
      ['DeleteScheduledAction', 'storefront-night'],
    ]);
    expect((await plan(aws, dropped)).changes.get('storefront')).toEqual([]);
    const policies = await aws.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/shop/storefront' }));
    expect(policies.ScalingPolicies?.map((p) => p.PolicyName)).toEqual(['storefront-cpu']);
  });

  it('reads 25 targets with 50 policies in 1 + 5 calls', async () => {
    const catalog = manifests.filter((m) => m.metadata.name === 'catalog');
    const many = Array.from({ length: 25 }, (_, i) => `svc-${String(i + 1).padStart(2, '0')}`).flatMap((name) =>
      catalog.map((m) => {
        const copy = structuredClone(m);
        copy.metadata.name = name;
        if (copy.kind === 'ServiceAutoscaling') copy.spec.service = name;
        return copy;
      }),
    );
    const builder = moto.aws();
    await buildServiceAutoscaling(builder, await createNetwork(builder), many);

    const aws = moto.aws();
    const { observed, changes } = await plan(aws, many);
    expect([...observed.values()].filter((o) => o.state === 'found')).toHaveLength(25);
    expect([...changes.values()].flat()).toEqual([]);
    const reads = Object.entries(aws.counter.summary()).filter(([key]) => key.startsWith('autoscaling:'));
    expect(Object.fromEntries(reads)).toEqual({
      'autoscaling:DescribeScalableTargets:success': 1,
      'autoscaling:DescribeScalingPolicies:success': 5,
    });
  });
});
