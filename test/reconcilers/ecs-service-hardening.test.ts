import { describe, expect, it } from 'vitest';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type TaskDefinition } from '@aws-sdk/client-ecs';
import type { Aws } from '../../src/aws/clients.js';
import type { EcsService, Manifest } from '../../src/schema/index.js';
import type { FieldChange } from '../../src/engine/types.js';
import { createSession } from '../../src/observe/context.js';
import { loadRevision } from '../../src/validate/index.js';
import { sendCall } from '../../src/apply/send.js';
import { ecsService } from '../../src/reconcilers/ecs-service/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { observeContext } from '../support/context.js';
import { buildEcsServices } from '../support/estate/ecs-service.js';

const moto = useMoto();
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/storefront/db-credentials';

/** desired-state's storefront, with its spec changed; the rest of the revision as it is. */
async function revision(change: (spec: EcsService['spec']) => void = () => {}): Promise<{ manifests: Manifest[]; storefront: EcsService }> {
  const manifests = (await loadRevision('desired-state')).manifests.map((m) => {
    if (m.kind !== 'EcsService' || m.metadata.name !== 'storefront') return m;
    const copy = structuredClone(m);
    change(copy.spec);
    return copy;
  });
  return { manifests, storefront: manifests.find((m): m is EcsService => m.kind === 'EcsService' && m.metadata.name === 'storefront')! };
}

/** Observe and diff storefront; with `apply`, also send the steps, as a reconcile would. */
async function reconcile(aws: Aws, manifests: Manifest[], storefront: EcsService, apply = false): Promise<FieldChange[]> {
  const ctx = await observeContext(createSession(aws, { controllerId: 'ballast' }), manifests, ['ecs:service']);
  const observed = (await ecsService.observe([storefront], ctx)).get('storefront');
  if (observed?.state !== 'found') throw new Error('storefront not found');
  const changes = ecsService.diff(storefront, observed.live, ctx);
  if (apply) for (const step of ecsService.steps(storefront, observed.live, changes, ctx)) for (const call of step.calls) await sendCall(aws, call);
  return changes;
}

async function liveTask(aws: Aws): Promise<TaskDefinition> {
  const svc = (await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront'] }))).services![0]!;
  return (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition! }))).taskDefinition!;
}

/** A console edit: the live revision copied with `edit` applied, and the service pointed at it. */
async function editByHand(aws: Aws, edit: (td: TaskDefinition) => void): Promise<void> {
  const td = await liveTask(aws);
  edit(td);
  const { family, requiresCompatibilities, networkMode, cpu, memory, executionRoleArn, taskRoleArn, containerDefinitions, volumes } = td;
  const next = await aws.ecs.send(
    new RegisterTaskDefinitionCommand({ family, requiresCompatibilities, networkMode, cpu, memory, executionRoleArn, taskRoleArn, containerDefinitions, volumes }),
  );
  await aws.ecs.send(new UpdateServiceCommand({ cluster: 'shop', service: 'storefront', taskDefinition: next.taskDefinition!.taskDefinitionArn }));
}

const hardened = (s: EcsService['spec']) => {
  s.volumes = [{ name: 'tmp' }];
  s.containers.push({ name: 'migrate', image: 'public.ecr.aws/shop/migrate:1.0.0', essential: false });
  Object.assign(s.containers[0]!, {
    readonlyRootFilesystem: true,
    mountPoints: [{ sourceVolume: 'tmp', containerPath: '/tmp' }],
    initProcessEnabled: true,
    stopTimeout: 30,
    user: '1000:1000',
    ulimits: [{ name: 'nofile', softLimit: 4096, hardLimit: 8192 }],
    dependsOn: [{ containerName: 'migrate', condition: 'COMPLETE' }],
  });
};

describe('EcsService hardening fields', () => {
  it('leaves them alone while the manifest does not state them', async () => {
    const aws = moto.aws();
    const plain = await revision();
    await buildEcsServices(aws, await createNetwork(aws), plain.manifests, 'ballast');
    await editByHand(aws, (td) => {
      Object.assign(td.containerDefinitions![0]!, { readonlyRootFilesystem: true, stopTimeout: 20, user: 'nobody', linuxParameters: { initProcessEnabled: true } });
    });
    expect(await reconcile(aws, plain.manifests, plain.storefront)).toEqual([]);
  });

  it('diffs and applies them once stated, and reads back what it applied as no change', async () => {
    const aws = moto.aws();
    const plain = await revision();
    await buildEcsServices(aws, await createNetwork(aws), plain.manifests, 'ballast');
    const { manifests, storefront } = await revision(hardened);
    const changes = await reconcile(aws, manifests, storefront, true);
    expect(changes.map((c) => c.path).sort()).toEqual(
      [
        'spec.containers',
        'spec.containers[app].dependsOn',
        'spec.containers[app].initProcessEnabled',
        'spec.containers[app].mountPoints',
        'spec.containers[app].readonlyRootFilesystem',
        'spec.containers[app].stopTimeout',
        'spec.containers[app].ulimits',
        'spec.containers[app].user',
        'spec.volumes',
      ].sort(),
    );
    const app = (await liveTask(aws)).containerDefinitions!.find((c) => c.name === 'app')!;
    expect(app).toMatchObject({ readonlyRootFilesystem: true, stopTimeout: 30, user: '1000:1000', linuxParameters: { initProcessEnabled: true } });
    expect(await reconcile(aws, manifests, storefront)).toEqual([]);
    // A hand edit of a stated field is drift again.
    await editByHand(aws, (td) => Object.assign(td.containerDefinitions!.find((c) => c.name === 'app')!, { readonlyRootFilesystem: false }));
    expect((await reconcile(aws, manifests, storefront)).map((c) => c.path)).toEqual(['spec.containers[app].readonlyRootFilesystem']);
  });

  it('matches a Secrets Manager ARN without its random suffix to the full ARN, both ways, and still sees another secret', async () => {
    const aws = moto.aws();
    const short = await revision((s) => (s.containers[0]!.secrets = { DB_CREDENTIALS: SECRET }));
    const full = await revision((s) => (s.containers[0]!.secrets = { DB_CREDENTIALS: `${SECRET}-AbC123` }));
    await buildEcsServices(aws, await createNetwork(aws), full.manifests, 'ballast');
    expect(await reconcile(aws, short.manifests, short.storefront)).toEqual([]);
    await editByHand(aws, (td) => (td.containerDefinitions![0]!.secrets = [{ name: 'DB_CREDENTIALS', valueFrom: SECRET }]));
    expect(await reconcile(aws, full.manifests, full.storefront)).toEqual([]);
    const other = await revision((s) => (s.containers[0]!.secrets = { DB_CREDENTIALS: `${SECRET}-v2` }));
    expect((await reconcile(aws, other.manifests, other.storefront)).map((c) => c.path)).toEqual(['spec.containers[app].secrets']);
  });
});
