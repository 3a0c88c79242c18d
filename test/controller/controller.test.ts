import { rename } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Aws } from '../../src/aws/clients.js';
import { controllerLogger, startController, type RunningController } from '../../src/controller/run.js';
import { CONTROLLER_DEFAULTS, type ControllerConfig } from '../../src/controller/config.js';
import type { Controller, ReconcileSummary } from '../../src/controller/controller.js';
import { signBody } from '../../src/source/webhook.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { SlackReceiver } from '../support/slack.js';
import { editManifest, setField } from '../support/manifests.js';
import { within } from '../support/wait.js';
import { tempDir } from '../support/temp.js';
import { editTask, HAND_REMOVALS } from '../support/hand-changes.js';
import { settled } from '../support/controller.js';

const moto = useMoto();
const SECRET = 'webhook-secret-for-tests';

/** The next reconcile that finishes (optionally: the next one matching), failing the test if none comes in time. */
function reconciled(controller: Controller, match: (s: ReconcileSummary) => boolean = () => true): Promise<ReconcileSummary> {
  const seen: ReconcileSummary[] = [];
  const next = new Promise<ReconcileSummary>((resolve) => {
    const listener = (s: ReconcileSummary) => {
      seen.push(s);
      if (!match(s)) return;
      controller.off('reconciled', listener);
      resolve(s);
    };
    controller.on('reconciled', listener);
  });
  return within(next, () => `a matching reconcile; saw ${JSON.stringify(seen)}`);
}

function push(branch = 'main') {
  return Buffer.from(JSON.stringify({ ref: `refs/heads/${branch}`, after: 'f'.repeat(40), repository: { full_name: 'shop/estate' } }));
}

async function webhook(url: string, body: Buffer, signature?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': 'push' };
  if (signature) headers['x-hub-signature-256'] = signature;
  return fetch(`${url}/webhook`, { method: 'POST', headers, body: body.toString() });
}

async function threshold(aws: Aws, name: string): Promise<number | undefined> {
  return (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]?.Threshold;
}

async function setThreshold(aws: Aws, name: string, value: number) {
  const a = (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms![0]!;
  await aws.cloudwatch.send(new PutMetricAlarmCommand({ ...a, Threshold: value } as never));
}

describe('ballast run', () => {
  let repo: TestRepo;
  let slack: SlackReceiver;
  let running: RunningController;
  let logs: string[];
  let aws: Aws;

  async function start(overrides: Partial<ControllerConfig> = {}) {
    const config: ControllerConfig = {
      ...CONTROLLER_DEFAULTS,
      repoUrl: repo.url,
      workdir: await tempDir('clone'),
      pollInterval: 3600,
      driftSchedule: '0 0 1 1 *',
      webhookSecret: SECRET,
      slackWebhookUrl: await slack.start(),
      port: 0,
      host: '127.0.0.1',
      healthPollInterval: 0.05,
      ...overrides,
    };
    logs = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(chunk.toString()), done()) });
    const first = new Promise<ReconcileSummary>((resolve) => {
      // The listener must exist before the first reconcile can finish.
      // The production logger, with its redaction: what it writes is what an operator's log store gets.
      void startController(config, controllerLogger(config, sink)).then((r) => {
        running = r;
        r.controller.once('reconciled', resolve);
      });
    });
    return within(first, 'the first reconcile');
  }

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    aws = moto.aws();
    await createNetwork(aws);
    repo = await createRepo();
    slack = new SlackReceiver();
  });

  afterEach(async () => {
    await running?.stop();
    await slack.stop();
    await removeRepo(repo);
  });

  it('converges the estate from the repository, turns ready and exports a successful reconcile', async () => {
    const first = await start();
    expect(first.result).toBe('success');
    const services = await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront', 'checkout', 'catalog', 'worker'] }));
    expect(services.services?.map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE']);

    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toMatch(/ballast_reconciles_total\{result="success"\} 1/);
    expect(metrics).toMatch(/ballast_last_successful_reconcile_timestamp_seconds [1-9]/);
    expect(metrics).toMatch(/ballast_aws_calls_total\{service="ecs",operation="CreateService",outcome="success"\} 4/);
    expect(metrics).toContain(`ballast_revision_info{sha="${(await repo.git.revparse(['HEAD'])).trim()}"} 1`);
    const status = (await (await fetch(`${running.url}/status`)).json()) as {
      resources: { key: string; status: string }[];
      drills: { drill: string; nextRun: string | null }[];
    };
    expect(status.resources.find((r) => r.key === 'DbInstance/shop-db')?.status).toBe('create');
    expect(status.drills).toEqual([expect.objectContaining({ drill: 'shop-db-drill', nextRun: expect.any(String) })]);
    // One log line per write, naming the revision and the resource; secrets never reach the logs.
    const writes = logs.map((l) => JSON.parse(l) as { msg: string; revision?: string; resource?: string }).filter((l) => l.msg === 'write');
    expect(writes).toContainEqual(expect.objectContaining({ revision: running.controller.revision?.sha, resource: 'EcsService/storefront' }));
    expect(logs.join('')).not.toContain(SECRET);
    expect(logs.join('')).not.toContain('secret-token');
  });

  it('keeps the webhook secret and the Slack URL out of every log line, at trace level and while Slack fails', async () => {
    // Nothing listens on port 9: every Slack post fails, and the warning about it must not quote the URL.
    const slackUrl = 'http://127.0.0.1:9/services/T000/B000/unreachable-token';
    await start({ logLevel: 'trace', slackWebhookUrl: slackUrl });
    expect((await webhook(running.url, push(), signBody('wrong-secret', push()))).status).toBe(401);
    const applied = reconciled(running.controller, (s) => s.triggers.includes('webhook'));
    expect((await webhook(running.url, push(), signBody(SECRET, push()))).status).toBe(202);
    await applied;
    // Whatever code may one day log its settings, the logger hides the two secret ones.
    running.logger.info({ webhookSecret: SECRET, settings: { webhookSecret: SECRET, slackWebhookUrl: slackUrl } }, 'settings');

    const lines = logs.map((l) => JSON.parse(l) as { msg: string; webhookSecret?: string; settings?: Record<string, string> });
    expect(lines.filter((l) => l.msg === 'Slack notification not sent').length).toBeGreaterThan(0);
    expect(lines.find((l) => l.msg === 'settings')).toMatchObject({ webhookSecret: '[Redacted]', settings: { webhookSecret: '[Redacted]', slackWebhookUrl: '[Redacted]' } });
    expect(logs.join('')).not.toContain(SECRET);
    expect(logs.join('')).not.toContain('unreachable-token');
  });

  it('applies a pushed change as soon as a signed webhook arrives, and ignores unsigned or forged ones', async () => {
    await start();
    // The health reads after the first rollouts are runs too: "no run started" is checked once they settled.
    await settled(running.controller);
    await editManifest(path.join(repo.work, 'desired-state'), 'ServiceAutoscaling/storefront', setField(['spec', 'cpu', 'targetValue'], 45));
    const pushed = await repo.push('storefront: scale on 45% CPU');

    expect((await webhook(running.url, push())).status).toBe(401);
    expect((await webhook(running.url, push(), signBody('wrong-secret', push()))).status).toBe(401);
    expect((await webhook(running.url, push(), 'sha256=' + '0'.repeat(64))).status).toBe(401);
    expect(running.controller.busy).toBe(false);

    const applied = reconciled(running.controller, (s) => s.revision === pushed);
    const accepted = await webhook(running.url, push(), signBody(SECRET, push()));
    expect(accepted.status).toBe(202);
    expect((await applied).result).toBe('success');
    const policies = await aws.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', PolicyNames: ['storefront-cpu'] }));
    expect(policies.ScalingPolicies?.find((p) => p.PolicyName === 'storefront-cpu')?.TargetTrackingScalingPolicyConfiguration?.TargetValue).toBe(45);
  });

  it('shows a secret-looking value found in the live estate as (sensitive) on /status and in Slack', async () => {
    await start();
    // A health read of the first rollouts would otherwise correct the hand change before the scan does.
    await settled(running.controller);
    const before = slack.messages.length;
    await editTask(aws, 'checkout', (td) => {
      const [app] = td.containerDefinitions as { environment: { name: string; value: string }[] }[];
      app!.environment.push({ name: 'DB_PASSWORD', value: 'hunter2-plaintext' });
    });
    const scanned = reconciled(running.controller, (s) => s.triggers.includes('drift-scan'));
    running.controller.trigger('drift-scan');
    expect((await scanned).writes).toBeGreaterThan(0);

    const status = await (await fetch(`${running.url}/status`)).text();
    const checkout = (JSON.parse(status) as { resources: { key: string; changes: { path: string; live: unknown }[] }[] }).resources.find((r) => r.key === 'EcsService/checkout');
    expect(checkout?.changes).toContainEqual(expect.objectContaining({ path: 'spec.containers[app].environment', live: expect.objectContaining({ DB_PASSWORD: '(sensitive)' }) }));
    await slack.received(before + 1);
    expect(JSON.stringify(slack.messages.slice(before))).toContain('EcsService/checkout');
    for (const seen of [status, JSON.stringify(slack.messages), logs.join('')]) expect(seen).not.toContain('hunter2');
  });

  it('rejects an invalid commit: nothing applied, the last good revision stays, one Slack message with file:line', async () => {
    await start();
    const good = running.controller.revision?.sha;
    const before = slack.messages.length;
    await editManifest(path.join(repo.work, 'desired-state'), 'EcsService/storefront', setField(['spec', 'cpu'], 300));
    await editManifest(path.join(repo.work, 'desired-state'), 'Alarm/storefront-cpu-high', setField(['spec', 'threshold'], 50));
    const bad = await repo.push('oops');

    const rejected = reconciled(running.controller, () => running.controller.badRevision?.sha === bad);
    await webhook(running.url, push(), signBody(SECRET, push()));
    const summary = await rejected;
    expect(summary.writes).toBe(0);
    expect(running.controller.revision?.sha).toBe(good);
    expect(running.controller.badRevision?.sha).toBe(bad);
    expect(await threshold(aws, 'storefront-cpu-high')).toBe(85);
    // /status tells an operator which commit was refused and why, next to the one still in force.
    const status = (await (await fetch(`${running.url}/status`)).json()) as { revision: { sha: string }; rejectedRevision: { sha: string; problems: unknown[] } };
    expect(status.revision.sha).toBe(good);
    expect(status.rejectedRevision.sha).toBe(bad);
    expect(status.rejectedRevision.problems).toContainEqual(
      expect.objectContaining({ file: 'desired-state/services/storefront.yaml', line: 9, col: 8, message: expect.stringContaining('300 is not a Fargate CPU size') }),
    );

    // A later scan of the same bad head says nothing new.
    const again = reconciled(running.controller, (s) => s.triggers.includes('drift-scan'));
    running.controller.trigger('drift-scan');
    await again;
    const invalid = slack.messages.slice(before).filter((m) => m.text.includes('Invalid revision'));
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.text).toContain('desired-state/services/storefront.yaml:9:8');
    expect(slack.messages.slice(before)).toHaveLength(1);
    // Counted once, as the reconcile that rejected it.
    expect(await (await fetch(`${running.url}/metrics`)).text()).toContain('ballast_reconciles_total{result="invalid"} 1');
  });

  it('reverts hand-made drift at the next drift scan, tells Slack once, and only reports it in detect mode', async () => {
    await start();
    // The scans the schedule would start, started here: no test waits on the clock.
    const scan = () => {
      const done = reconciled(running.controller, (s) => s.triggers.includes('drift-scan'));
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
    const switched = reconciled(running.controller, (s) => s.revision === detectOnly);
    await webhook(running.url, push(), signBody(SECRET, push()));
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
    const applied = reconciled(running.controller, (s) => s.revision === broken);
    const failed = reconciled(running.controller, (s) => s.revision === broken && s.result === 'failure');
    await webhook(running.url, push(), signBody(SECRET, push()));
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
    const fixed = reconciled(running.controller, (s) => s.revision === working && s.result === 'success');
    await webhook(running.url, push(), signBody(SECRET, push()));
    await fixed;
    if (running.controller.resources.get('EcsService/storefront')?.status === 'progressing') {
      await reconciled(running.controller, () => running.controller.resources.get('EcsService/storefront')?.status === 'in-sync');
    }
    const live = await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront'] }));
    expect(live.services?.[0]?.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'COMPLETED']]);
  });

  it('recreates a resource deleted by hand and says so; warns once about lost ownership, in /status and a metric', async () => {
    await start();
    /** A drift scan, as the schedule starts it, and its end. */
    const scan = (match: (s: ReconcileSummary) => boolean = () => true) => {
      const done = reconciled(running.controller, (s) => s.triggers.includes('drift-scan') && match(s));
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
    const scan = reconciled(running.controller, (s) => s.triggers.includes('drift-scan'));
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
    const good = running.controller.revision?.sha;
    const before = slack.messages.length;
    await rename(repo.url, `${repo.url}.away`);
    const failed = reconciled(running.controller, (s) => s.triggers.includes('poll'));
    running.controller.trigger('poll');
    expect((await failed).result).toBe('failure');
    expect(running.controller.revision?.sha).toBe(good);
    // The last good revision is still reconciled: hand-made drift is reverted during the outage.
    await setThreshold(aws, 'storefront-cpu-high', 99);
    const still = reconciled(running.controller, (s) => s.triggers.includes('drift-scan'));
    running.controller.trigger('drift-scan');
    await still;
    expect(await threshold(aws, 'storefront-cpu-high')).toBe(85);
    // Said once the outage has outlasted three reconciles in a row, and only once.
    for (let i = 0; i < 2; i++) {
      const next = reconciled(running.controller, (s) => s.triggers.includes('drift-scan'));
      running.controller.trigger('drift-scan');
      expect((await next).result).toBe('failure');
    }
    const unreachable = slack.messages.slice(before).filter((m) => m.text.includes('SourceUnavailable'));
    expect(unreachable).toHaveLength(1);

    await rename(`${repo.url}.away`, repo.url);
    const back = reconciled(running.controller, (s) => s.result === 'success');
    running.controller.trigger('poll');
    await back;
    await slack.received(before + 3);
    expect(slack.texts().slice(before).some((t) => t.startsWith('Recovered'))).toBe(true);
  });
});
