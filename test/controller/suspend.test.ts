import { describe, expect, it } from 'vitest';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import type { Aws } from '../../src/aws/clients.js';
import type { RunningController } from '../../src/controller/run.js';
import type { ControllerConfig } from '../../src/controller/config.js';
import { useMoto } from '../support/moto.js';
import { nextReconcile, settled, startTestController, useControllerEstate } from '../support/controller.js';
import { editTask } from '../support/hand-changes.js';
import { runCli } from '../support/cli.js';

const moto = useMoto();
const TOKEN = 'operator-token-for-tests';

async function liveCpu(aws: Aws, service: string): Promise<string | undefined> {
  const svc = (await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: [service] }))).services![0]!;
  return (await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition! }))).taskDefinition?.cpu;
}

const doubleCpu = (td: Record<string, unknown>) => (td.cpu = '1024');

describe('ballast suspend and resume against a running controller', () => {
  const estate = useControllerEstate(moto);

  async function start(overrides: Partial<ControllerConfig> = {}): Promise<RunningController> {
    ({ running: estate.running } = await startTestController({ repoUrl: estate.repo.url, apiToken: TOKEN, slackWebhookUrl: await estate.slack.start(), ...overrides }));
    // A health read of the first rollouts would otherwise plan catalog again in the middle of the test.
    await settled(estate.running.controller);
    return estate.running;
  }

  const cli = (args: string[], token: string | null = TOKEN) =>
    runCli([...args, '--controller', estate.running!.url], { env: { ...process.env, BALLAST_API_TOKEN: token ?? undefined } });

  it('leaves a suspended service as changed by hand, shows it suspended everywhere, and corrects it once resumed', async () => {
    await start();
    const before = estate.slack.messages.length;
    const suspended = await cli(['suspend', 'EcsService/catalog', '--reason', 'load test <!channel>']);
    expect(suspended.code, suspended.stderr).toBe(0);
    expect(suspended.stdout).toBe('suspended EcsService/catalog until resumed: load test <!channel>\n');
    await editTask(estate.aws, 'catalog', doubleCpu);

    const run = await cli(['reconcile', '--wait']);
    expect(run.code, run.stderr).toBe(0);
    expect(await liveCpu(estate.aws, 'catalog')).toBe('1024');
    const status = await cli(['status']);
    expect(status.stdout).toContain('suspended  EcsService/catalog until resumed: load test <!channel>');
    expect(status.stdout).toMatch(/^EcsService\/catalog\s+suspended\s+suspend\s/m);
    const json = (await cli(['status', '-o', 'json'])).json<{ suspensions: unknown[]; resources: { key: string; status: string; suspension?: unknown }[] }>();
    expect(json.suspensions).toEqual([expect.objectContaining({ key: 'EcsService/catalog', reason: 'load test <!channel>' })]);
    expect(json.resources.find((r) => r.key === 'EcsService/catalog')).toMatchObject({ status: 'suspended', suspension: { reason: 'load test <!channel>' } });
    const metrics = await (await fetch(`${estate.running!.url}/metrics`)).text();
    expect(metrics).toMatch(/ballast_resource_info\{kind="EcsService",name="catalog",status="suspended",mode="suspend",suspended="true"\} 1/);
    // Slack hears of the suspension, escaped, and of no drift on the suspended service.
    await estate.slack.received(before + 1);
    const told = estate.slack.texts().slice(before);
    expect(told.join('\n')).toContain('EcsService/catalog suspended until resumed: load test &lt;!channel&gt;');
    expect(told.join('\n')).not.toContain('spec.cpu');

    const resumed = await cli(['resume', 'EcsService/catalog']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const corrected = await cli(['reconcile', '--wait']);
    expect(corrected.code, corrected.stderr).toBe(0);
    expect(await liveCpu(estate.aws, 'catalog')).toBe('512');
    expect((await cli(['status', '-o', 'json'])).json<{ suspensions: unknown[] }>().suspensions).toEqual([]);
    expect(estate.slack.texts().join('\n')).toContain('EcsService/catalog resumed');
  });

  it('ends a suspension given --for by itself and corrects the resource then', async () => {
    await start();
    const suspended = await cli(['suspend', 'EcsService/catalog', '--for', '6s', '-o', 'json']);
    expect(suspended.code, suspended.stderr).toBe(0);
    const until = Date.parse(suspended.json<{ suspended: { until: string } }>().suspended.until);
    const ended = nextReconcile(estate.running!.controller, (s) => s.triggers.includes('expiry'));
    await editTask(estate.aws, 'catalog', doubleCpu);
    // The hand change must land while the suspension holds, or the test would prove nothing.
    expect(Date.now()).toBeLessThan(until);
    expect((await ended).writes).toBeGreaterThan(0);
    expect(await liveCpu(estate.aws, 'catalog')).toBe('512');
    expect(estate.running!.controller.resources.get('EcsService/catalog')?.suspension).toBeUndefined();
  });

  it('keeps suspensions in the lease table, so the next leader honours them', async () => {
    await start({ leaseTable: 'ballast-leases' });
    expect((await cli(['suspend', 'EcsService/catalog', '--reason', 'migration'])).code).toBe(0);
    await estate.running!.stop();
    estate.running = undefined;
    await editTask(estate.aws, 'catalog', doubleCpu);
    await start({ leaseTable: 'ballast-leases' });
    expect(await liveCpu(estate.aws, 'catalog')).toBe('1024');
    expect(estate.running!.controller.resources.get('EcsService/catalog')).toMatchObject({ status: 'suspended', suspension: { reason: 'migration' } });
  });

  it('refuses a bad key, a resource in no manifest, resuming what is not suspended, and a missing token', async () => {
    await start();
    const cases: [string[], string][] = [
      [['suspend', 'EcsService'], 'expected Kind/name'],
      [['suspend', 'Bucket/logs'], 'unknown kind "Bucket"'],
      [['suspend', 'EcsService/catalgo'], 'controller answered 404: EcsService/catalgo is in no manifest'],
      [['suspend', 'EcsService/catalog', '--reason', 'x'.repeat(201)], 'at most 200 characters'],
      [['suspend', 'EcsService/catalog', '--reason', 'evil \u001b[2J'], 'control characters'],
      [['resume', 'EcsService/catalog'], 'controller answered 404: EcsService/catalog is not suspended'],
    ];
    for (const [args, error] of cases) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toContain(error);
    }
    const anonymous = await cli(['suspend', 'EcsService/catalog'], null);
    expect(anonymous.stderr).toContain('controller answered 401');
    expect((await cli(['status', '-o', 'json'])).json<{ suspensions: unknown[] }>().suspensions).toEqual([]);
  });
});
