import { serviceHealth } from '../../src/reconcilers/ecs-service/health.js';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type ContainerDefinition,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { Aws } from '../../src/aws/clients.js';
import type { EcsService, Manifest } from '../../src/schema/index.js';
import type { FieldChange, ObserveContext, Step } from '../../src/engine/types.js';
import { ALLOW_DESTRUCTIVE_TAG, MANAGED_BY_TAG, MANIFEST_TAG } from '../../src/engine/tags.js';
import { createSession, type Session } from '../../src/observe/context.js';
import { observeContext } from '../support/context.js';
import { loadRevision } from '../../src/validate/index.js';
import { sendCall } from '../../src/apply/send.js';
import { ecsService, type LiveEcsService } from '../../src/reconcilers/ecs-service/index.js';
import { useMoto } from '../support/moto.js';
import { within } from '../support/wait.js';
import { createNetwork, type Network } from '../../src/demo/network.js';
import { buildEcsServices } from '../support/estate/ecs-service.js';

const moto = useMoto();
const DESIRED_STATE = fileURLToPath(new URL('../../desired-state', import.meta.url));

interface World {
  aws: Aws;
  net: Network;
  session: Session;
  manifests: Manifest[];
}

async function world(): Promise<World> {
  const aws = moto.aws();
  const net = await createNetwork(aws);
  const { manifests, problems } = await loadRevision(DESIRED_STATE);
  expect(problems).toEqual([]);
  return { aws, net, session: createSession(aws, { controllerId: 'ballast' }), manifests };
}

const services = (manifests: Manifest[]) => manifests.filter((m): m is EcsService => m.kind === 'EcsService');

function service(manifests: Manifest[], name: string): EcsService {
  const m = services(manifests).find((s) => s.metadata.name === name);
  if (!m) throw new Error(`no EcsService ${name}`);
  return m;
}

/** A copy of one manifest with its spec changed, in place of the original in the revision. */
function variant(manifests: Manifest[], name: string, change: (spec: EcsService['spec']) => void): Manifest[] {
  return manifests.map((m) => {
    if (m.kind !== 'EcsService' || m.metadata.name !== name) return m;
    const copy = structuredClone(m);
    change(copy.spec);
    return copy;
  });
}

async function observeAll(w: World, manifests = w.manifests): Promise<{ ctx: ObserveContext; live: Map<string, LiveEcsService> }> {
  const ctx = await observeContext(w.session, manifests, ['ecs:service']);
  const observed = await ecsService.observe(services(manifests), ctx);
  const live = new Map<string, LiveEcsService>();
  for (const [name, o] of observed) if (o.state === 'found') live.set(name, o.live);
  return { ctx, live };
}

async function changesOf(w: World, name: string, manifests = w.manifests): Promise<FieldChange[]> {
  const { ctx, live } = await observeAll(w, manifests);
  const found = live.get(name);
  if (!found) throw new Error(`${name} not found`);
  return ecsService.diff(service(manifests, name), found, ctx);
}

async function send(aws: Aws, steps: Step[]): Promise<void> {
  for (const step of steps) for (const call of step.calls) await sendCall(aws, call);
}

/** Observe, diff and apply one service, as a reconcile would. */
async function reconcile(w: World, name: string, manifests = w.manifests): Promise<FieldChange[]> {
  const { ctx, live } = await observeAll(w, manifests);
  const m = service(manifests, name);
  const current = live.get(name);
  const changes = current ? ecsService.diff(m, current, ctx) : [];
  await send(w.aws, ecsService.steps(m, current, changes, ctx));
  return changes;
}

/** moto 5.2 ignores these CreateService fields (AWS keeps them): right after a create they read as ECS defaults. */

const writes = (aws: Aws) => aws.counter.writes().map((c) => c.operation);
const lastInput = (aws: Aws, operation: string) => aws.counter.writes().filter((c) => c.operation === operation).pop()?.input;

async function describeService(aws: Aws, name: string, cluster = 'shop') {
  const out = await aws.ecs.send(new DescribeServicesCommand({ cluster, services: [name], include: ['TAGS'] }));
  return out.services?.[0];
}

/** Registers a copy of the service's current revision with `change` applied and points the service at it, by hand. */
async function rollOutOfBand(aws: Aws, name: string, change: (td: TaskDefinition, app: ContainerDefinition) => void): Promise<void> {
  const current = (await describeService(aws, name))!.taskDefinition!;
  const td = (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: current }))).taskDefinition!;
  change(td, td.containerDefinitions![0]!);
  const next = await aws.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: td.family,
      requiresCompatibilities: td.requiresCompatibilities,
      networkMode: td.networkMode,
      cpu: td.cpu,
      memory: td.memory,
      executionRoleArn: td.executionRoleArn,
      taskRoleArn: td.taskRoleArn,
      containerDefinitions: td.containerDefinitions,
    }),
  );
  await aws.ecs.send(new UpdateServiceCommand({ cluster: 'shop', service: name, taskDefinition: next.taskDefinition!.taskDefinitionArn }));
}

describe('EcsService observe + diff', () => {
  it('finds no difference on an estate built by hand to match desired-state/, and reads each revision once per process', async () => {
    const w = await world();
    await buildEcsServices(w.aws, w.net, w.manifests, 'ballast');
    w.aws.counter.reset();

    const ctx = await observeContext(w.session, w.manifests, ['ecs:service']);
    const observed = await ecsService.observe(services(w.manifests), ctx);
    expect([...observed.keys()].sort()).toEqual(['catalog', 'checkout', 'storefront', 'worker']);
    for (const m of services(w.manifests)) {
      const o = observed.get(m.metadata.name)!;
      expect(o.state, m.metadata.name).toBe('found');
      if (o.state !== 'found') continue;
      expect(o.owned).toBe(true);
      expect(ecsService.diff(m, o.live, ctx), m.metadata.name).toEqual([]);
    }
    const storefront = observed.get('storefront');
    expect(storefront?.state === 'found' && storefront.live.loadBalancer?.targetGroup).toBe(w.net.targetGroups['shop-storefront']);
    // Four services in one cluster: one DescribeServices call.
    expect(w.aws.counter.summary()).toMatchObject({ 'ecs:DescribeServices:success': 1, 'ecs:DescribeTaskDefinition:success': 4 });

    w.aws.counter.reset();
    const again = await ecsService.observe(services(w.manifests), await observeContext(w.session, w.manifests, ['ecs:service']));
    expect([...again.values()].every((o) => o.state === 'found')).toBe(true);
    expect(w.aws.counter.calls.filter((c) => c.operation === 'DescribeTaskDefinition')).toEqual([]);
  });

  it('reports task cpu and image changed out of band, on the paths the manifest uses', async () => {
    const w = await world();
    await buildEcsServices(w.aws, w.net, w.manifests, 'ballast');
    await rollOutOfBand(w.aws, 'catalog', (td) => (td.cpu = '256'));
    await rollOutOfBand(w.aws, 'checkout', (_td, app) => (app.image = 'public.ecr.aws/shop/checkout:9.9.9'));

    expect(await changesOf(w, 'catalog')).toEqual([{ path: 'spec.cpu', live: 256, desired: 512 }]);
    expect(await changesOf(w, 'checkout')).toEqual([
      { path: 'spec.containers[app].image', live: 'public.ecr.aws/shop/checkout:9.9.9', desired: 'public.ecr.aws/shop/checkout:2.7.1' },
    ]);
  });

  it('leaves desiredCount to a ServiceAutoscaling, but reports it for a service with a fixed count', async () => {
    const w = await world();
    await buildEcsServices(w.aws, w.net, w.manifests, 'ballast');
    for (const name of ['catalog', 'worker']) await w.aws.ecs.send(new UpdateServiceCommand({ cluster: 'shop', service: name, desiredCount: 5 }));

    const scaled = variant(w.manifests, 'catalog', (s) => (s.desiredCount = 2));
    expect(await changesOf(w, 'catalog', scaled)).toEqual([]);

    const fixed = variant(w.manifests, 'worker', (s) => (s.desiredCount = 1)).filter(
      (m) => !(m.kind === 'ServiceAutoscaling' && m.spec.service === 'worker'),
    );
    expect(await changesOf(w, 'worker', fixed)).toEqual([{ path: 'spec.desiredCount', live: 5, desired: 1 }]);
  });

  it('ignores order (subnets, environment, secrets) and fields the manifest does not state', async () => {
    const w = await world();
    await buildEcsServices(w.aws, w.net, w.manifests, 'ballast');
    const subnets = Object.values(w.net.subnets).reverse();
    await w.aws.ecs.send(
      new UpdateServiceCommand({
        cluster: 'shop',
        service: 'checkout',
        networkConfiguration: { awsvpcConfiguration: { subnets, securityGroups: [w.net.securityGroups['shop-services']!], assignPublicIp: 'DISABLED' } },
      }),
    );
    await rollOutOfBand(w.aws, 'checkout', (_td, app) => {
      app.environment!.reverse();
      app.secrets!.reverse();
    });
    // Neither the worker's container cpu, its stop timeout, nor its grace period are stated in worker.yaml.
    await rollOutOfBand(w.aws, 'worker', (_td, app) => {
      app.cpu = 128;
      app.stopTimeout = 10;
    });
    await w.aws.ecs.send(new UpdateServiceCommand({ cluster: 'shop', service: 'worker', healthCheckGracePeriodSeconds: 45 }));

    expect(await changesOf(w, 'checkout')).toEqual([]);
    expect(await changesOf(w, 'worker')).toEqual([]);
  });

  it('marks the services of a failed batch as errors instead of throwing', async () => {
    const w = await world();
    const manifests = variant(w.manifests, 'worker', (s) => (s.cluster = 'nowhere'));
    const ctx = await observeContext(w.session, manifests, ['ecs:service']);
    const observed = await ecsService.observe(services(manifests), ctx);
    expect(observed.get('worker')).toMatchObject({ state: 'error', error: { code: 'ClusterNotFoundException' } });
    expect(observed.get('storefront')).toEqual({ state: 'missing' });
  });
});

describe('EcsService steps', () => {
  it('creates a missing service with its task definition, tagged as owned, and converges', async () => {
    const w = await world();
    const { ctx, live } = await observeAll(w);
    expect(live.size).toBe(0);
    const storefront = service(w.manifests, 'storefront');
    const steps = ecsService.steps(storefront, undefined, [], ctx);
    // Same manifest, same request token: a retried create is idempotent at ECS.
    const token = (s: Step[]) => s[0]!.calls[1]!.input.clientToken;
    expect(token(ecsService.steps(storefront, undefined, [], ctx))).toBe(token(steps));
    expect(token(ecsService.steps(service(w.manifests, 'catalog'), undefined, [], ctx))).not.toBe(token(steps));

    w.aws.counter.reset();
    await send(w.aws, steps);
    expect(writes(w.aws)).toEqual(['RegisterTaskDefinition', 'CreateService']);
    expect(lastInput(w.aws, 'CreateService')).toMatchObject({
      desiredCount: 3, // the ServiceAutoscaling's minTasks
      launchType: 'FARGATE',
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } },
      healthCheckGracePeriodSeconds: 60,
      propagateTags: 'SERVICE',
    });
    const created = await describeService(w.aws, 'storefront');
    expect(created?.tags).toEqual(
      expect.arrayContaining([
        { key: MANAGED_BY_TAG, value: 'ballast' },
        { key: MANIFEST_TAG, value: 'EcsService/storefront' },
      ]),
    );
    expect(created?.loadBalancers).toEqual([{ targetGroupArn: w.net.targetGroups['shop-storefront'], containerName: 'app', containerPort: 8080 }]);
    const td = await w.aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'storefront' }));
    expect(td.taskDefinition?.containerDefinitions?.[0]?.logConfiguration?.options?.['awslogs-region']).toBe('us-east-1');

    // Converged at once: the next observe finds nothing to do.
    expect(await changesOf(w, 'storefront')).toEqual([]);
  });

  it('updates only what changed: an image needs a new revision, a grace period does not', async () => {
    const w = await world();
    await buildEcsServices(w.aws, w.net, w.manifests, 'ballast');

    const newImage = variant(w.manifests, 'storefront', (s) => (s.containers[0]!.image = 'public.ecr.aws/shop/storefront:1.43.0'));
    w.aws.counter.reset();
    expect((await reconcile(w, 'storefront', newImage)).map((c) => c.path)).toEqual(['spec.containers[app].image']);
    expect(writes(w.aws)).toEqual(['RegisterTaskDefinition', 'UpdateService']);
    expect(lastInput(w.aws, 'UpdateService')).toEqual({ cluster: 'shop', service: 'storefront', taskDefinition: 'storefront', forceNewDeployment: false });
    expect(await changesOf(w, 'storefront', newImage)).toEqual([]);

    const longerGrace = variant(newImage, 'storefront', (s) => (s.healthCheckGracePeriodSeconds = 90));
    w.aws.counter.reset();
    await reconcile(w, 'storefront', longerGrace);
    expect(writes(w.aws)).toEqual(['UpdateService']);
    expect(lastInput(w.aws, 'UpdateService')).toEqual({ cluster: 'shop', service: 'storefront', healthCheckGracePeriodSeconds: 90, forceNewDeployment: false });
    expect(await changesOf(w, 'storefront', longerGrace)).toEqual([]);
  });

  it('keeps the destructive opt-in tag in step with the annotation', async () => {
    const w = await world();
    await buildEcsServices(w.aws, w.net, w.manifests, 'ballast');
    const optIn = w.manifests.map((m) =>
      m.kind === 'EcsService' && m.metadata.name === 'worker'
        ? { ...m, metadata: { ...m.metadata, annotations: { [ALLOW_DESTRUCTIVE_TAG]: 'true' as const } } }
        : m,
    );
    w.aws.counter.reset();
    await reconcile(w, 'worker', optIn);
    expect(writes(w.aws)).toEqual(['TagResource']);
    expect(await changesOf(w, 'worker', optIn)).toEqual([]);

    w.aws.counter.reset();
    await reconcile(w, 'worker');
    expect(writes(w.aws)).toEqual(['UntagResource']);
    expect(await changesOf(w, 'worker')).toEqual([]);
  });

  it('sees a cluster change as a destructive move, and replaces the service when allowed', async () => {
    const w = await world();
    await buildEcsServices(w.aws, w.net, w.manifests, 'ballast');
    await w.aws.ecs.send(new CreateClusterCommand({ clusterName: 'shop-2', tags: [{ key: 'team', value: 'platform' }] }));
    const moved = variant(w.manifests, 'worker', (s) => (s.cluster = 'shop-2'));

    const changes = await changesOf(w, 'worker', moved);
    expect(changes).toEqual([expect.objectContaining({ path: 'spec.cluster', live: 'shop', desired: 'shop-2', destructive: expect.any(String) })]);
    const { ctx, live } = await observeAll(w, moved);
    const steps = ecsService.steps(service(moved, 'worker'), live.get('worker'), changes, ctx);
    // The new service must be healthy before the old one goes.
    expect(steps.map((s) => [s.part, s.op, s.waitForHealth ?? false, s.after ?? []])).toEqual([
      ['create', 'create', true, []],
      ['delete-old', 'delete', false, ['create']],
    ]);
    await send(w.aws, steps);
    expect((await describeService(w.aws, 'worker', 'shop-2'))?.status).toBe('ACTIVE');
    expect((await describeService(w.aws, 'worker', 'shop'))?.status).toBe('INACTIVE');
    expect(await changesOf(w, 'worker', moved)).toEqual([]);
  });

  it('adopts an untagged service by tagging it, and prunes a running service with one forced delete', async () => {
    const w = await world();
    const estate = await buildEcsServices(w.aws, w.net, w.manifests, 'ballast');
    const arn = estate.services.catalog!;
    await w.aws.ecs.send(
      new CreateServiceCommand({
        cluster: 'shop',
        serviceName: 'legacy',
        taskDefinition: 'catalog',
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: Object.values(w.net.subnets), securityGroups: Object.values(w.net.securityGroups) } },
      }),
    );
    const legacy = [{ ...service(w.manifests, 'catalog'), metadata: { name: 'legacy' } }];
    const ctx = await observeContext(w.session, legacy, ['ecs:service']);
    const before = (await ecsService.observe(services(legacy), ctx)).get('legacy');
    expect(before).toMatchObject({ state: 'found', owned: false });
    if (before?.state !== 'found') return;
    await send(w.aws, [{ op: 'update', summary: 'adopt', calls: ecsService.adoptCalls!(service(legacy, 'legacy'), before.live, ctx) }]);
    expect((await ecsService.observe(services(legacy), ctx)).get('legacy')).toMatchObject({ state: 'found', owned: true });

    expect(ecsService.nameOf!(arn)).toBe('catalog');
    // Its rollout starts its tasks within the emulator's 0.3 s: the delete is tried on a service that runs tasks.
    await within(
      (async () => {
        while (!(await describeService(w.aws, 'catalog'))?.runningCount) await new Promise((r) => setTimeout(r, 50));
      })(),
      'tasks of catalog running',
    );
    w.aws.counter.reset();
    await send(w.aws, ecsService.deleteSteps!('catalog', arn));
    // force deletes a service that still runs tasks: no scale-to-zero first.
    expect(w.aws.counter.writes().map((c) => [c.operation, c.input])).toEqual([['DeleteService', { cluster: 'shop', service: 'catalog', force: true }]]);
    const { live } = await observeAll(w);
    expect(live.has('catalog')).toBe(false);
  });
});

/** Health read every 50 ms until it is steady or failed (the emulator's rollouts take 0.3 s). */
async function settled(m: EcsService, ctx: ObserveContext, seen: string[] = []) {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    const health = await ecsService.health(m, ctx);
    seen.push(health.reason);
    if (health.steady || health.failed) return health;
  }
  throw new Error(`no verdict within 10 s: ${seen.at(-1)}`);
}

describe('EcsService health', () => {
  it('is in progress while the rollout starts tasks, and steady once it completed', async () => {
    const w = await world();
    const { ctx } = await observeAll(w);
    const storefront = service(w.manifests, 'storefront');
    await send(w.aws, ecsService.steps(storefront, undefined, [], ctx));
    const first = await ecsService.health(storefront, ctx);
    expect(first).toEqual({ steady: false, reason: 'rollout in progress, 0/3 tasks running' });
    expect(await settled(storefront, ctx)).toEqual({ steady: true, reason: 'rollout completed, 3/3 tasks running' });
  });

  it('stops waiting when the circuit breaker fails a rollout and rolls it back, with the service events', async () => {
    const w = await world();
    const { ctx } = await observeAll(w);
    const storefront = service(w.manifests, 'storefront');
    await send(w.aws, ecsService.steps(storefront, undefined, [], ctx));
    await settled(storefront, ctx);

    const broken = service(variant(w.manifests, 'storefront', (s) => (s.containers[0]!.image = 'public.ecr.aws/shop/storefront:broken')), 'storefront');
    const { live } = await observeAll(w);
    const changes = ecsService.diff(broken, live.get('storefront')!, ctx);
    await send(w.aws, ecsService.steps(broken, live.get('storefront'), changes, ctx));
    const health = await settled(broken, ctx);
    expect(health).toMatchObject({ steady: false, failed: true });
    expect(health.reason).toMatch(/^rollout failed \(rolled back to arn:aws:ecs:.*:task-definition\/storefront:1\): ECS deployment .* failed: tasks failed to start\./);
    expect(health.reason).toMatch(/\(service storefront\) rolling back to deployment ecs-svc\/\d+\.; \(service storefront\) \(deployment ecs-svc\/\d+\) deployment failed: tasks failed to start\./);
    // ECS put the last good revision back.
    expect((await describeService(w.aws, 'storefront'))?.taskDefinition).toMatch(/:task-definition\/storefront:1$/);
  });

  it('stops waiting on a FAILED rollout without rollback too', () => {
    const health = serviceHealth(
      {
        deployments: [{ status: 'PRIMARY', rolloutState: 'FAILED', rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.', runningCount: 0, desiredCount: 3 }],
        events: [{ message: 'newest' }, { message: 'second' }, { message: 'third' }, { message: 'oldest, not shown' }],
      },
      'shop/storefront',
    );
    expect(health).toEqual({ steady: false, failed: true, reason: 'rollout failed: ECS deployment circuit breaker: tasks failed to start.; newest; second; third' });
    expect(serviceHealth(undefined, 'shop/storefront')).toEqual({ steady: false, reason: 'service shop/storefront not found' });
  });

  it('judges a fix pushed while the failed deployment still drains by its own rollout, and a rollback as the failure', () => {
    const td = (revision: number) => `arn:aws:ecs:us-east-1:123456789012:task-definition/storefront:${revision}`;
    const failed = { status: 'ACTIVE', taskDefinition: td(2), rolloutState: 'FAILED' as const, rolloutStateReason: 'ECS deployment ecs-svc/2 failed: tasks failed to start.' };
    const primary = (revision: number, rolloutState: 'IN_PROGRESS' | 'COMPLETED') => ({ status: 'PRIMARY', taskDefinition: td(revision), rolloutState, runningCount: 1, desiredCount: 3 });
    expect(serviceHealth({ deployments: [primary(3, 'IN_PROGRESS'), failed] }, 'shop/storefront')).toEqual({ steady: false, reason: 'rollout in progress, 1/3 tasks running' });
    expect(serviceHealth({ deployments: [primary(3, 'COMPLETED'), failed] }, 'shop/storefront').steady).toBe(true);
    expect(serviceHealth({ deployments: [primary(1, 'COMPLETED'), failed] }, 'shop/storefront')).toMatchObject({ steady: false, failed: true, reason: expect.stringContaining(`rolled back to ${td(1)}`) });
  });
});
