import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import type { Aws } from '../../src/aws/clients.js';
import { loadRevision } from '../../src/validate/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { buildShopEstate } from '../support/estate/index.js';
import { runCli } from '../support/cli.js';

const moto = useMoto();

interface PlanJson {
  calls: Record<string, number>;
  resources: { key: string; status: string; changes: { path: string }[] }[];
}

describe('the CLI task-definition cache', () => {
  let aws: Aws;
  let cacheDir: string;
  const plan = async (env: Record<string, string> = {}) => {
    // The SDK reads the endpoint from the process environment, the cache from the command's.
    process.env.AWS_ENDPOINT_URL = env.AWS_ENDPOINT_URL ?? moto.endpoint;
    const run = await runCli(['plan', 'desired-state', '--output', 'json'], { env: { ...process.env, BALLAST_CACHE_DIR: cacheDir, ...env } });
    expect(run.code, run.stderr).toBe(0);
    const json = run.json<PlanJson>();
    return { taskDefinitionReads: json.calls['ecs:DescribeTaskDefinition:success'] ?? 0, resources: json.resources };
  };

  beforeEach(async () => {
    // A folder per test: the emulator is reset between tests and its revision ARNs repeat with other contents.
    cacheDir = await mkdtemp(path.join(tmpdir(), 'ballast-cache-test-'));
    aws = moto.aws();
    await buildShopEstate(aws, await createNetwork(aws), (await loadRevision('desired-state')).manifests);
  });
  afterEach(async () => {
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('lets a second plan of an unchanged estate read no task definition, with the same result', async () => {
    const first = await plan();
    expect(first.taskDefinitionReads).toBe(4);
    const second = await plan();
    expect(second.taskDefinitionReads).toBe(0);
    expect(second.resources).toEqual(first.resources);
    expect(new Set(second.resources.map((r) => r.status))).toEqual(new Set(['in-sync']));
  });

  it('reads a revision registered since (a new ARN) and reports what it changed', async () => {
    await plan();
    const service = (await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront'] }))).services![0]!;
    const task = (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition }))).taskDefinition!;
    const containers = task.containerDefinitions!.map((c) => ({ ...c, image: `${c.image}-edited` }));
    const { taskDefinition } = await aws.ecs.send(
      new RegisterTaskDefinitionCommand({ ...task, family: task.family!, containerDefinitions: containers } as never),
    );
    await aws.ecs.send(new UpdateServiceCommand({ cluster: 'shop', service: 'storefront', taskDefinition: taskDefinition!.taskDefinitionArn }));
    const after = await plan();
    expect(after.taskDefinitionReads).toBe(1);
    expect(after.resources.find((r) => r.key === 'EcsService/storefront')?.changes.map((c) => c.path)).toEqual(['spec.containers[app].image']);
  });

  it('keeps the entries of one endpoint from another (an emulator or account behind a different URL)', async () => {
    await plan();
    const other = await plan({ AWS_ENDPOINT_URL: moto.endpoint.replace('127.0.0.1', 'localhost') });
    expect(other.taskDefinitionReads).toBe(4);
  });

  it('reads every task definition each run when the cache is off', async () => {
    await plan({ BALLAST_CACHE_DIR: 'off' });
    expect((await plan({ BALLAST_CACHE_DIR: 'off' })).taskDefinitionReads).toBe(4);
  });
});
