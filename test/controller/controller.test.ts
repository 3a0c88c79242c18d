import { mkdtemp, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import type { Aws } from '../../src/aws/clients.js';
import { startController, type RunningController } from '../../src/controller/run.js';
import { CONTROLLER_DEFAULTS, type ControllerConfig } from '../../src/controller/config.js';
import type { Controller, ReconcileSummary } from '../../src/controller/controller.js';
import { signBody } from '../../src/source/webhook.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { SlackReceiver } from '../support/slack.js';
import { editManifest, setField } from '../support/manifests.js';

const moto = useMoto();
const SECRET = 'webhook-secret-for-tests';

/** The next reconcile that finishes (optionally: the next one matching). */
function reconciled(controller: Controller, match: (s: ReconcileSummary) => boolean = () => true): Promise<ReconcileSummary> {
  return new Promise((resolve) => {
    const listener = (s: ReconcileSummary) => {
      if (!match(s)) return;
      controller.off('reconciled', listener);
      resolve(s);
    };
    controller.on('reconciled', listener);
  });
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
      workdir: await mkdtemp(path.join(tmpdir(), 'ballast-clone-')),
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
      void startController(config, pino({ level: 'info' }, sink)).then((r) => {
        running = r;
        r.controller.once('reconciled', resolve);
      });
    });
    return first;
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

  it('applies a pushed change as soon as a signed webhook arrives, and ignores unsigned or forged ones', async () => {
    await start();
    await editManifest(path.join(repo.work, 'desired-state'), 'ServiceAutoscaling/storefront', setField(['spec', 'cpu', 'targetValue'], 45));
    await repo.push('storefront: scale on 45% CPU');

    expect((await webhook(running.url, push())).status).toBe(401);
    expect((await webhook(running.url, push(), signBody('wrong-secret', push()))).status).toBe(401);
    expect((await webhook(running.url, push(), 'sha256=' + '0'.repeat(64))).status).toBe(401);
    expect(running.controller.busy).toBe(false);

    const applied = reconciled(running.controller, (s) => s.trigger === 'webhook');
    const accepted = await webhook(running.url, push(), signBody(SECRET, push()));
    expect(accepted.status).toBe(202);
    expect((await applied).result).toBe('success');
    const policies = await aws.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', PolicyNames: ['storefront-cpu'] }));
    expect(policies.ScalingPolicies?.find((p) => p.PolicyName === 'storefront-cpu')?.TargetTrackingScalingPolicyConfiguration?.TargetValue).toBe(45);
  });

  it('rejects an invalid commit: nothing applied, the last good revision stays, one Slack message with file:line', async () => {
    await start();
    const good = running.controller.revision?.sha;
    const before = slack.messages.length;
    await editManifest(path.join(repo.work, 'desired-state'), 'EcsService/storefront', setField(['spec', 'cpu'], 300));
    await editManifest(path.join(repo.work, 'desired-state'), 'Alarm/storefront-cpu-high', setField(['spec', 'threshold'], 50));
    const bad = await repo.push('oops');

    const rejected = reconciled(running.controller, (s) => s.trigger === 'webhook');
    await webhook(running.url, push(), signBody(SECRET, push()));
    const summary = await rejected;
    expect(summary.writes).toBe(0);
    expect(running.controller.revision?.sha).toBe(good);
    expect(running.controller.badRevision?.sha).toBe(bad);
    expect(await threshold(aws, 'storefront-cpu-high')).toBe(85);

    // A later scan of the same bad head says nothing new.
    const again = reconciled(running.controller, (s) => s.trigger === 'drift-scan');
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
    await start({ driftSchedule: '* * * * * *' });
    const before = slack.messages.length;
    await setThreshold(aws, 'storefront-cpu-high', 99);
    await reconciled(running.controller, (s) => s.trigger === 'drift-scan' && s.writes > 0);
    expect(await threshold(aws, 'storefront-cpu-high')).toBe(85);
    await slack.received(before + 1);
    expect(slack.messages[before]!.text).toContain('Alarm/storefront-cpu-high spec.threshold: 99 -&gt; 85 (reverted)');

    // Someone does it again: reverted again, but Slack already knows.
    await setThreshold(aws, 'storefront-cpu-high', 99);
    await reconciled(running.controller, (s) => s.trigger === 'drift-scan' && s.writes > 0);
    await reconciled(running.controller, (s) => s.trigger === 'drift-scan');
    expect(slack.messages.length).toBe(before + 1);

    await editManifest(path.join(repo.work, 'desired-state'), 'Alarm/storefront-cpu-high', setField(['metadata', 'annotations'], { 'ballast.dev/mode': 'detect' }));
    await repo.push('storefront alarm: detect only');
    const switched = reconciled(running.controller, (s) => s.trigger === 'webhook');
    await webhook(running.url, push(), signBody(SECRET, push()));
    await switched;
    await setThreshold(aws, 'storefront-cpu-high', 70);
    await reconciled(running.controller, (s) => s.trigger === 'drift-scan');
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
    await repo.push('storefront: an image whose tasks never start');
    const failed = reconciled(running.controller, (s) => s.trigger === 'webhook');
    await webhook(running.url, push(), signBody(SECRET, push()));
    expect((await failed).result).toBe('failure');
    await slack.received(before + 2);
    const failure = slack.texts().slice(before).find((t) => t.startsWith('Reconcile failed'));
    expect(failure).toMatch(/rollout failed \(rolled back to .*storefront:1\)/);
    expect(failure).toContain('deployment failed: tasks failed to start.');

    // Still serving, and the next good commit converges.
    expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    await editManifest(path.join(repo.work, 'desired-state'), 'EcsService/storefront', storefront('1.43.0'));
    await repo.push('storefront: a working image');
    const fixed = reconciled(running.controller, (s) => s.trigger === 'webhook' && s.result === 'success');
    await webhook(running.url, push(), signBody(SECRET, push()));
    await fixed;
    const live = await aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront'] }));
    expect(live.services?.[0]?.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'COMPLETED']]);
  });

  it('keeps the last good revision while the remote is unreachable, reports it once and recovers', async () => {
    await start();
    const good = running.controller.revision?.sha;
    const before = slack.messages.length;
    await rename(repo.url, `${repo.url}.away`);
    const failed = reconciled(running.controller, (s) => s.trigger === 'poll');
    running.controller.trigger('poll');
    expect((await failed).result).toBe('failure');
    expect(running.controller.revision?.sha).toBe(good);
    // The last good revision is still reconciled: hand-made drift is reverted during the outage.
    await setThreshold(aws, 'storefront-cpu-high', 99);
    const still = reconciled(running.controller, (s) => s.trigger === 'drift-scan');
    running.controller.trigger('drift-scan');
    await still;
    expect(await threshold(aws, 'storefront-cpu-high')).toBe(85);
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
