import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';
import type { EcsService } from '../../src/schema/index.js';
import { runCli } from '../support/cli.js';

interface ContainerDefinition {
  name: string;
  image: string;
  portMappings: { containerPort: number }[];
  environment: { name: string; value: string }[];
  secrets: { name: string; valueFrom: string }[];
  healthCheck: { command: string[]; interval: number; timeout: number; retries: number; startPeriod: number };
  stopTimeout: number;
  logConfiguration: { logDriver: string; options: Record<string, string> };
}

interface TaskDefinition {
  family: string;
  cpu: string;
  memory: string;
  containerDefinitions: ContainerDefinition[];
}

/** The two settings `ballast run` takes only from the environment (never flags): they are secrets. */
const SECRETS = ['BALLAST_SLACK_WEBHOOK_URL', 'BALLAST_WEBHOOK_SECRET'];

const taskDefinition = async () => JSON.parse(await readFile('deploy/task-definition.json', 'utf8')) as TaskDefinition;

async function controllerManifest(): Promise<EcsService> {
  const revision = await loadRevision('deploy/ballast-controller.yaml');
  return revision.manifests.find((m): m is EcsService => m.kind === 'EcsService')!;
}

describe('deploy/', () => {
  it('the controller expressed as Ballast manifests is a valid revision', async () => {
    const run = await runCli(['validate', 'deploy/ballast-controller.yaml']);
    expect(run.stdout).toContain('2 manifests in 1 files are valid');
    expect(run.code).toBe(0);
  });

  it('the task definition sets only settings `ballast run` reads, and its secrets from Secrets Manager', async () => {
    const help = await runCli(['run', '--help']);
    const settings = new Set([...help.stdout.matchAll(/env:\s+([A-Z_]+)/g)].map((m) => m[1]));
    expect(settings).toContain('BALLAST_REPO_URL');
    const [container] = (await taskDefinition()).containerDefinitions;
    for (const { name } of container!.environment) expect(settings, name).toContain(name);
    expect(container!.secrets.map((s) => s.name).sort()).toEqual(SECRETS);
    for (const s of container!.secrets) expect(s.valueFrom).toMatch(/^arn:aws:secretsmanager:/);
  });

  it('the task is checked on /healthz at the port the controller listens on, and given time to stop', async () => {
    const task = await taskDefinition();
    const [container] = task.containerDefinitions;
    const port = container!.environment.find((e) => e.name === 'BALLAST_PORT')!.value;
    expect(container!.portMappings.map((p) => String(p.containerPort))).toEqual([port]);
    expect(container!.healthCheck.command).toEqual(['CMD', 'node', '-e', expect.stringContaining(`http://127.0.0.1:${port}/healthz`)]);
    // `ballast run` gives the call in flight 25 s after SIGTERM; ECS must not kill it sooner.
    expect(container!.stopTimeout).toBeGreaterThan(25);
    expect(container!.logConfiguration.logDriver).toBe('awslogs');
    expect([task.family, task.cpu, task.memory]).toEqual(['ballast-controller', '256', '512']);
  });

  it('the manifest describes the same task as the task definition', async () => {
    const task = await taskDefinition();
    const [container] = task.containerDefinitions;
    const m = await controllerManifest();
    const [c] = m.spec.containers;
    expect(m.metadata.name).toBe(task.family);
    expect([String(m.spec.cpu), String(m.spec.memory)]).toEqual([task.cpu, task.memory]);
    expect(c!.image.split(':')[0]!.split('/').pop()).toBe(container!.image.split(':')[0]!.split('/').pop());
    expect(Object.keys(c!.environment ?? {}).sort()).toEqual(container!.environment.map((e) => e.name).sort());
    expect(Object.keys(c!.secrets ?? {}).sort()).toEqual(SECRETS);
    expect(c!.ports?.map((p) => p.containerPort)).toEqual(container!.portMappings.map((p) => p.containerPort));
    expect(c!.healthCheck?.command).toEqual(container!.healthCheck.command);
    expect(c!.logging?.group).toBe(container!.logConfiguration.options['awslogs-group']);
    // A single controller: the old task stops before a new one starts.
    expect([m.spec.desiredCount, m.spec.deployment?.maximumPercent]).toEqual([1, 100]);
  });

  it('the IAM policy for the controller manifests lets it pass its own roles to its task', async () => {
    const run = await runCli(['iam-policy', 'deploy/ballast-controller.yaml', '--account', '123456789012']);
    const policy = run.json<{ Statement: { Sid: string; Resource: string[] }[] }>();
    expect(policy.Statement.find((s) => s.Sid === 'PassTaskRolesToEcsTasks')?.Resource).toEqual([
      'arn:aws:iam::123456789012:role/ballast-controller',
      'arn:aws:iam::123456789012:role/ballast-controller-execution',
    ]);
  });
});
