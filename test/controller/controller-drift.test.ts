import { rename } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Aws } from '../../src/aws/clients.js';
import type { RunningController } from '../../src/controller/run.js';
import type { ControllerConfig } from '../../src/controller/config.js';
import type { ReconcileSummary } from '../../src/controller/controller.js';
import { signBody } from '../../src/source/webhook.js';
import { useMoto } from '../support/moto.js';
import type { TestRepo } from '../support/git.js';
import type { SlackReceiver } from '../support/slack.js';
import { editManifest, setField } from '../support/manifests.js';
import { HAND_REMOVALS, setThreshold, threshold } from '../support/hand-changes.js';
import { nextReconcile, settled, startOnEstate, useControllerEstate } from '../support/controller.js';
import { postWebhook, pushEvent } from '../support/webhook.js';

const moto = useMoto();
const SECRET = 'webhook-secret-for-tests';

// `ballast run` in-process against the emulator, after its first reconcile: what changes under it.
describe('ballast run: drift, failed rollouts, deletions by hand, secrets and outages', () => {
  const estate = useControllerEstate(moto);
  const logs: string[] = [];
  let running: RunningController;
  let aws: Aws;
  let repo: TestRepo;
  let slack: SlackReceiver;
  beforeEach(() => void ({ aws, repo, slack } = estate));

  const start = async (overrides: Partial<ControllerConfig> = {}): Promise<ReconcileSummary> => {
    const first = await startOnEstate(estate, logs, overrides, SECRET);
    running = estate.running!;
    return first;
  };

  it('reverts hand-made drift at the next drift scan, tells Slack once, and only reports it in detect mode', async () => {
    await start();
    // A health read of the first rollouts would otherwise correct the hand change before the scan does.
    await settled(running.controller);
    // The scans the schedule would start, started here: no test waits on the clock.
    const scan = () => {
      const done = nextReconcile(running.controller, (s) => s.triggers.includes('drift-scan'));
      running.controller.trigger('drift-scan');
      return done;
    };
    const before = slack.messages.length;
    await setThreshold(aws, 'storefront-cpu-high', 99);
    expect((await scan()).writes).toBe(1);
    expect(await threshold(aws, 'storefront-cpu-high')).toBe(85);
    await slack.received(before + 1);
    expect(slack.messages[before]!.text).toContain('Alarm/storefront-cpu-high spec.threshold: 99 -&gt; 85 (reverted)');

    // Someone does it again: reverted again, but Slack already knows.
    await setThreshold(aws, 'storefront-cpu-high', 99);
    expect((await scan()).writes).toBe(1);
    expect((await scan()).writes).toBe(0);
    expect(slack.messages.length).toBe(before + 1);

    await editManifest(path.join(repo.work, 'desired-state'), 'Alarm/storefront-cpu-high', setField(['metadata', 'annotations'], { 'ballast.dev/mode': 'detect' }));
    const detectOnly = await repo.push('storefront alarm: detect only');
    const switched = nextReconcile(running.controller, (s) => s.revision === detectOnly);
    await postWebhook(running.url, pushEvent(), signBody(SECRET, pushEvent()));
    await switched;
    await setThreshold(aws, 'storefront-cpu-high', 70);
    expect((await scan()).writes).toBe(0);
    await slack.received(before + 2);
    expect(slack.messages[before + 1]!.text).toContain('Alarm/storefront-cpu-high spec.threshold: 70 -&gt; 85 (detect mode');
    expect(await threshold(aws, 'storefront-cpu-high')).toBe(70);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain('ballast_drifted_resources{kind="Alarm"} 1');
    // The replica scaler's decision is on /status even when it holds.
    const status = (await (await fetch(`${running.url}/status`)).json()) as { resources: { key: string; explanation?: string }[] };
    expect(status.resources.find((r) => r.key === 'DbInstance/shop-db')?.explanation).toMatch(/^read replicas: .*holding 1/);
    expect(metrics).toMatch(/ballast_reconcile_duration_seconds_count\{trigger="drift-scan"\} [1-9]/);
  });

  it('reports a rollout the circuit breaker failed to Slack with the service events, and keeps running', async () => {
    await start();
    const before = slack.messages.length;
    const storefront = (tag: string) => setField(['spec', 'containers', 0, 'image'], `public.ecr.aws/shop/storefront:${tag}`);
    await editManifest(path.join(repo.work, 'desired-state'), 'EcsService/storefront', storefront('broken'));
    const broken = await repo.push('storefront: an image whose tasks never start');
    // Applied without waiting; a later reconcile reads the rollout's health and finds it failed.
    const applied = nextReconcile(running.controller, (s) => s.revision === broken);
    const failed = nextReconcile(running.controller, (s) => s.revision === broken && s.result === 'failure');
    await postWebhook(running.url, pushEvent(), signBody(SECRET, pushEvent()));
    expect((await applied).result).toBe('success');
    await failed;
    await slack.received(before + 2);
    const failure = slack.texts().slice(before).find((t) => t.startsWith('Reconcile failed'));
    expect(failure).toMatch(/rollout failed \(rolled back to .*storefront:1\)/);
    expect(failure).toContain('deployment failed: tasks failed to start.');

    // Still serving, and the next good commit converges.
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    await editManifest(path.join(repo.work, 'desired-state'), 'EcsService/storefront', storefront('1.43.0'));
    const working = await repo.push('storefront: a working image');
    const fixed = nextReconcile(running.controller, (s) => s.revision === working && s.result === 'success');
    await postWebhook(running.url, pushEvent(), signBody(SECRET, pushEvent()));
    await fixed;
    if (running.controller.resources.get('EcsService/storefront')?.status === 'progressing') {
      await nextReconcile(running.controller, () => running.controller.resources.get('EcsService/storefront')?.status === 'in-sync');
    }
    const live = await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront'] }));
    expect(live.services?.[0]?.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'COMPLETED']]);
  });

  it('recreates a resource deleted by hand and says so; warns once about lost ownership, in /status and a metric', async () => {
    await start();
    /** A drift scan, as the schedule starts it, and its end. */
    const scan = (match: (s: ReconcileSummary) => boolean = () => true) => {
      const done = nextReconcile(running.controller, (s) => s.triggers.includes('drift-scan') && match(s));
      running.controller.trigger('drift-scan');
      return done;
    };
    let before = slack.messages.length;
    await HAND_REMOVALS.deleteAlarm(aws, 'worker-memory-high');
    await scan((s) => s.writes > 0);
    expect(await threshold(aws, 'worker-memory-high')).toBeDefined();
    await slack.received(before + 1);
    expect(slack.messages[before]!.text).toContain('Alarm/worker-memory-high deleted by hand, recreated');

    before = slack.messages.length;
    await HAND_REMOVALS.untagAlarm(aws, 'checkout-cpu-high');
    await scan();
    await slack.received(before + 1);
    expect(slack.messages[before]!.text).toContain('Alarm/checkout-cpu-high ownership lost: exists without ballast.dev/managed-by=ballast');
    const status = (await (await fetch(`${running.url}/status`)).json()) as { resources: { key: string; status: string; drift?: string; note?: string }[] };
    expect(status.resources.find((r) => r.key === 'Alarm/checkout-cpu-high')).toMatchObject({ status: 'unmanaged', drift: 'ownership-lost', note: expect.stringContaining('ballast.dev/adopt') });
    expect(await (await fetch(`${running.url}/metrics`)).text()).toContain('ballast_ownership_lost_resources{kind="Alarm"} 1');
    // Later scans see it still, and stay quiet within the quiet period.
    await scan();
    await scan();
    expect(slack.messages.length).toBe(before + 1);
  });

  it('keeps the master password out of logs, Slack and /status when it sets it from the secret and after a rotation', async () => {
    await start();
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/shop-db/master';
    const first = (JSON.parse((await aws.secretsmanager.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!) as { password: string }).password;
    const rotated = 'rotated-by-the-platform-team-0001';
    await aws.secretsmanager.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ username: 'shop_admin', password: rotated }) }));
    const before = slack.messages.length;
    const scan = nextReconcile(running.controller, (s) => s.triggers.includes('drift-scan'));
    running.controller.trigger('drift-scan');
    expect((await scan).result).toBe('success');
    await slack.received(before + 1);
    const said = JSON.stringify(slack.messages.slice(before));
    expect(said).toContain('spec.masterPassword');
    const status = await (await fetch(`${running.url}/status`)).text();
    for (const text of [logs.join(''), JSON.stringify(slack.messages), status, await (await fetch(`${running.url}/metrics`)).text()]) {
      expect(text).not.toContain(first);
      expect(text).not.toContain(rotated);
    }
  });

  it('keeps the last good revision while the remote is unreachable, reports it once and recovers', async () => {
    await start();
    // No health read of the first rollouts folds into the event's reconcile below.
    await settled(running.controller);
    const good = running.controller.revision?.sha;
    const before = slack.messages.length;
    await rename(repo.url, `${repo.url}.away`);
    const failed = nextReconcile(running.controller, (s) => s.triggers.includes('poll'));
    running.controller.trigger('poll');
    expect((await failed).result).toBe('failure');
    expect(running.controller.revision?.sha).toBe(good);
    // The last good revision is still reconciled: hand-made drift is reverted during the outage.
    await setThreshold(aws, 'storefront-cpu-high', 99);
    const still = nextReconcile(running.controller, (s) => s.triggers.includes('drift-scan'));
    running.controller.trigger('drift-scan');
    await still;
    expect(await threshold(aws, 'storefront-cpu-high')).toBe(85);
    // A reconcile that does not fetch (an AWS event's, a health read's) neither ends the outage nor counts in it.
    const event = nextReconcile(running.controller, (s) => s.triggers.includes('event'));
    running.controller.trigger('event', ['Alarm/storefront-cpu-high']);
    expect((await event).result).toBe('failure');
    expect(slack.texts().slice(before).filter((t) => t.includes('SourceUnavailable'))).toEqual([]);
    // Said once the outage has outlasted three reconciles in a row, and only once.
    for (let i = 0; i < 2; i++) {
      const next = nextReconcile(running.controller, (s) => s.triggers.includes('drift-scan'));
      running.controller.trigger('drift-scan');
      expect((await next).result).toBe('failure');
    }
    const unreachable = slack.messages.slice(before).filter((m) => m.text.includes('SourceUnavailable'));
    expect(unreachable).toHaveLength(1);

    await rename(`${repo.url}.away`, repo.url);
    const back = nextReconcile(running.controller, (s) => s.result === 'success');
    running.controller.trigger('poll');
    await back;
    await slack.received(before + 3);
    expect(slack.texts().slice(before).some((t) => t.startsWith('Recovered'))).toBe(true);
  });
});
