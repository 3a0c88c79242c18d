import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { type ControllerConfig } from '../../src/controller/config.js';
import type { ReconcileSummary, ResourceStatusEntry } from '../../src/controller/controller.js';
import { useMoto } from '../support/moto.js';
import { editManifest, setField } from '../support/manifests.js';
import { within } from '../support/wait.js';
import { startTestController, useControllerEstate } from '../support/controller.js';

// Rollouts that last until a test lets them finish: a controller that waited for them would never finish its first run.
const ROLLOUT_SECONDS = 3600;
const moto = useMoto();

describe('health waits do not block the controller', () => {
  const estate = useControllerEstate(moto);
  beforeEach(() => moto.setRolloutSeconds(ROLLOUT_SECONDS));
  let logs: string[];

  async function start(overrides: Partial<ControllerConfig> = {}): Promise<ReconcileSummary> {
    logs = [];
    const started = await startTestController({ repoUrl: estate.repo.url, slackWebhookUrl: await estate.slack.start(), healthPollInterval: 0.5, ...overrides }, logs);
    estate.running = started.running;
    return started.first;
  }

  const status = async () => (await (await fetch(`${estate.running!.url}/status`)).json()) as { resources: ResourceStatusEntry[] };
  const entry = async (key: string) => (await status()).resources.find((r) => r.key === key);
  const metrics = async () => (await fetch(`${estate.running!.url}/metrics`)).text();
  const calls = async (operation: string) => Number(new RegExp(`ballast_aws_calls_total\\{service="ecs",operation="${operation}",outcome="success"\\} (\\d+)`).exec(await metrics())?.[1] ?? 0);

  /** Resolves at the first reconcile after which `done` holds. */
  function until(done: () => Promise<boolean>, what: string): Promise<void> {
    return within(
      new Promise<void>((resolve) => {
        const check = () => void done().then((yes) => yes && (estate.running!.controller.off('reconciled', check), resolve()));
        estate.running!.controller.on('reconciled', check);
      }),
      what,
    );
  }

  it('applies a newer commit while a rollout is progressing, never re-sends the rollout, and reports it healthy later', async () => {
    const first = await start();
    expect(first.result).toBe('success');
    // The services were created and are rolling out: the run ended without waiting for them.
    const storefront = await entry('EcsService/storefront');
    expect(storefront?.status).toBe('progressing');
    expect(storefront?.progress?.reason).toMatch(/rollout in progress/);
    expect(await calls('CreateService')).toBe(4);

    // A second commit changes another resource: applied at once, planned against live state.
    await editManifest(path.join(estate.repo.work, 'desired-state'), 'Alarm/storefront-cpu-high', setField(['spec', 'threshold'], 70));
    const second = await estate.repo.push('lower the CPU alarm');
    const applied = within(
      new Promise<ReconcileSummary>((resolve) => estate.running!.controller.on('reconciled', (s) => s.revision === second && resolve(s))),
      'the reconcile of the second commit',
    );
    estate.running!.controller.trigger('webhook');
    expect((await applied).result).toBe('success');
    const alarms = await moto.aws().cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['storefront-cpu-high'] }));
    expect(alarms.MetricAlarms?.[0]?.Threshold).toBe(70);
    // Still rolling out, neither sent again nor taken for drift.
    expect((await entry('EcsService/storefront'))?.status).toBe('progressing');
    expect((await entry('EcsService/storefront'))?.drift).toBeUndefined();
    expect(await calls('UpdateService')).toBe(0);

    // The rollout completes: the next reconcile reports it healthy, with nothing sent for it.
    await moto.setRolloutSeconds(0);
    await until(async () => (await entry('EcsService/storefront'))?.status === 'in-sync', 'storefront reported in sync');
    expect(await calls('CreateService')).toBe(4);
    expect(await calls('UpdateService')).toBe(0);
    const settled = logs.map((l) => JSON.parse(l) as { msg: string; resource?: string; steady?: boolean }).filter((l) => l.msg === 'progress settled' && l.resource === 'EcsService/storefront');
    expect(settled).toEqual([expect.objectContaining({ steady: true })]);
    expect(estate.slack.texts().join('\n')).not.toMatch(/Reconcile failed|HealthTimeout/);
  });

  it('reports a rollout that outlasts its timeout as failed, once, without sending it again', async () => {
    await start({ ecsTimeout: 2 });
    expect((await entry('EcsService/storefront'))?.status).toBe('progressing');
    await until(async () => (await entry('EcsService/storefront'))?.lastError?.code === 'HealthTimeout', 'storefront timed out');
    const failed = await entry('EcsService/storefront');
    expect(failed?.status).not.toBe('progressing');
    expect(failed?.lastError?.message).toMatch(/not healthy 2s after it was applied: rollout in progress/);
    await estate.slack.received(2);
    expect(estate.slack.texts().join('\n')).toMatch(/EcsService\/storefront/);
    expect(estate.slack.texts().filter((t) => t.includes('HealthTimeout'))).toHaveLength(1);
    expect(await calls('CreateService')).toBe(4);
    expect(await calls('UpdateService')).toBe(0);
  });
});
