import { rename } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { GetSecretValueCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { signBody } from '../../src/source/webhook.js';
import { useMoto } from '../support/moto.js';
import { push, reconciled, signedPush, useController, webhook, WEBHOOK_SECRET } from '../support/controller.js';
import { editManifest, setField } from '../support/manifests.js';
import { editTask, setThreshold, threshold } from '../support/hand-changes.js';

const moto = useMoto();

describe('ballast run', () => {
  const ctl = useController(moto);

  it('converges the estate from the repository, turns ready and exports a successful reconcile', async () => {
    const first = await ctl.start();
    expect(first.result).toBe('success');
    const services = await ctl.aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront', 'checkout', 'catalog', 'worker'] }));
    expect(services.services?.map((s) => s.status)).toEqual(['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE']);

    const ready = await fetch(`${ctl.running.url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(`${ctl.running.url}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`${ctl.running.url}/metrics`)).text();
    expect(metrics).toMatch(/ballast_reconciles_total\{result="success"\} 1/);
    expect(metrics).toMatch(/ballast_last_successful_reconcile_timestamp_seconds [1-9]/);
    expect(metrics).toMatch(/ballast_aws_calls_total\{service="ecs",operation="CreateService",outcome="success"\} 4/);
    expect(metrics).toContain(`ballast_revision_info{sha="${(await ctl.repo.git.revparse(['HEAD'])).trim()}"} 1`);
    const status = (await (await fetch(`${ctl.running.url}/status`)).json()) as {
      resources: { key: string; status: string }[];
      drills: { drill: string; nextRun: string | null }[];
    };
    expect(status.resources.find((r) => r.key === 'DbInstance/shop-db')?.status).toBe('create');
    expect(status.drills).toEqual([expect.objectContaining({ drill: 'shop-db-drill', nextRun: expect.any(String) })]);
    // One log line per write, naming the revision and the resource; secrets never reach the ctl.logs.
    const writes = ctl.logs.map((l) => JSON.parse(l) as { msg: string; revision?: string; resource?: string }).filter((l) => l.msg === 'write');
    expect(writes).toContainEqual(expect.objectContaining({ revision: ctl.running.controller.revision?.sha, resource: 'EcsService/storefront' }));
    expect(ctl.logs.join('')).not.toContain(WEBHOOK_SECRET);
    expect(ctl.logs.join('')).not.toContain('secret-token');
  });

  it('keeps the webhook secret and the Slack URL out of every log line, at trace level and while Slack fails', async () => {
    // Nothing listens on port 9: every Slack post fails, and the warning about it must not quote the URL.
    const slackUrl = 'http://127.0.0.1:9/services/T000/B000/unreachable-token';
    await ctl.start({ logLevel: 'trace', slackWebhookUrl: slackUrl });
    expect((await webhook(ctl.running.url, push(), signBody('wrong-secret', push()))).status).toBe(401);
    const applied = reconciled(ctl.running.controller, (s) => s.triggers.includes('webhook'));
    expect((await signedPush(ctl.running.url)).status).toBe(202);
    await applied;
    // Whatever code may one day log its settings, the logger hides the two secret ones.
    ctl.running.logger.info({ webhookSecret: WEBHOOK_SECRET, settings: { webhookSecret: WEBHOOK_SECRET, slackWebhookUrl: slackUrl } }, 'settings');

    const lines = ctl.logs.map((l) => JSON.parse(l) as { msg: string; webhookSecret?: string; settings?: Record<string, string> });
    expect(lines.filter((l) => l.msg === 'Slack notification not sent').length).toBeGreaterThan(0);
    expect(lines.find((l) => l.msg === 'settings')).toMatchObject({ webhookSecret: '[Redacted]', settings: { webhookSecret: '[Redacted]', slackWebhookUrl: '[Redacted]' } });
    expect(ctl.logs.join('')).not.toContain(WEBHOOK_SECRET);
    expect(ctl.logs.join('')).not.toContain('unreachable-token');
  });

  it('applies a pushed change as soon as a signed webhook arrives, and ignores unsigned or forged ones', async () => {
    await ctl.start();
    await editManifest(path.join(ctl.repo.work, 'desired-state'), 'ServiceAutoscaling/storefront', setField(['spec', 'cpu', 'targetValue'], 45));
    const pushed = await ctl.repo.push('storefront: scale on 45% CPU');

    expect((await webhook(ctl.running.url, push())).status).toBe(401);
    expect((await webhook(ctl.running.url, push(), signBody('wrong-secret', push()))).status).toBe(401);
    expect((await webhook(ctl.running.url, push(), 'sha256=' + '0'.repeat(64))).status).toBe(401);
    expect(ctl.running.controller.busy).toBe(false);

    const applied = reconciled(ctl.running.controller, (s) => s.revision === pushed);
    const accepted = await signedPush(ctl.running.url);
    expect(accepted.status).toBe(202);
    expect((await applied).result).toBe('success');
    const policies = await ctl.aws.autoscaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', PolicyNames: ['storefront-cpu'] }));
    expect(policies.ScalingPolicies?.find((p) => p.PolicyName === 'storefront-cpu')?.TargetTrackingScalingPolicyConfiguration?.TargetValue).toBe(45);
  });

  it('shows a secret-looking value found in the live estate as (sensitive) on /status and in Slack', async () => {
    await ctl.start();
    const before = ctl.slack.messages.length;
    await editTask(ctl.aws, 'checkout', (td) => {
      const [app] = td.containerDefinitions as { environment: { name: string; value: string }[] }[];
      app!.environment.push({ name: 'DB_PASSWORD', value: 'hunter2-plaintext' });
    });
    expect((await ctl.scan()).writes).toBeGreaterThan(0);

    const status = await (await fetch(`${ctl.running.url}/status`)).text();
    const checkout = (JSON.parse(status) as { resources: { key: string; changes: { path: string; live: unknown }[] }[] }).resources.find((r) => r.key === 'EcsService/checkout');
    expect(checkout?.changes).toContainEqual(expect.objectContaining({ path: 'spec.containers[app].environment', live: expect.objectContaining({ DB_PASSWORD: '(sensitive)' }) }));
    await ctl.slack.received(before + 1);
    expect(JSON.stringify(ctl.slack.messages.slice(before))).toContain('EcsService/checkout');
    for (const seen of [status, JSON.stringify(ctl.slack.messages), ctl.logs.join('')]) expect(seen).not.toContain('hunter2');
  });

  it('reports a rollout the circuit breaker failed to Slack with the service events, and keeps running', async () => {
    await ctl.start();
    const before = ctl.slack.messages.length;
    const storefront = (tag: string) => setField(['spec', 'containers', 0, 'image'], `public.ecr.aws/shop/storefront:${tag}`);
    await editManifest(path.join(ctl.repo.work, 'desired-state'), 'EcsService/storefront', storefront('broken'));
    const broken = await ctl.repo.push('storefront: an image whose tasks never start');
    const failed = reconciled(ctl.running.controller, (s) => s.revision === broken);
    await signedPush(ctl.running.url);
    expect((await failed).result).toBe('failure');
    await ctl.slack.received(before + 2);
    const failure = ctl.slack.texts().slice(before).find((t) => t.startsWith('Reconcile failed'));
    expect(failure).toMatch(/rollout failed \(rolled back to .*storefront:1\)/);
    expect(failure).toContain('deployment failed: tasks failed to start.');

    // Still serving, and the next good commit converges.
    expect((await fetch(`${ctl.running.url}/healthz`)).status).toBe(200);
    await editManifest(path.join(ctl.repo.work, 'desired-state'), 'EcsService/storefront', storefront('1.43.0'));
    const working = await ctl.repo.push('storefront: a working image');
    const fixed = reconciled(ctl.running.controller, (s) => s.revision === working && s.result === 'success');
    await signedPush(ctl.running.url);
    await fixed;
    const live = await ctl.aws.ecs.send(new DescribeServicesCommand({ cluster: 'shop', services: ['storefront'] }));
    expect(live.services?.[0]?.deployments?.map((d) => [d.status, d.rolloutState])).toEqual([['PRIMARY', 'COMPLETED']]);
  });

  it('keeps the master password out of logs, Slack and /status when it sets it from the secret and after a rotation', async () => {
    await ctl.start();
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/shop-db/master';
    const first = (JSON.parse((await ctl.aws.secretsmanager.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!) as { password: string }).password;
    const rotated = 'rotated-by-the-platform-team-0001';
    await ctl.aws.secretsmanager.send(new PutSecretValueCommand({ SecretId: arn, SecretString: JSON.stringify({ username: 'shop_admin', password: rotated }) }));
    const before = ctl.slack.messages.length;
    expect((await ctl.scan()).result).toBe('success');
    await ctl.slack.received(before + 1);
    const said = JSON.stringify(ctl.slack.messages.slice(before));
    expect(said).toContain('spec.masterPassword');
    const status = await (await fetch(`${ctl.running.url}/status`)).text();
    for (const text of [ctl.logs.join(''), JSON.stringify(ctl.slack.messages), status, await (await fetch(`${ctl.running.url}/metrics`)).text()]) {
      expect(text).not.toContain(first);
      expect(text).not.toContain(rotated);
    }
  });

  it('keeps the last good revision while the remote is unreachable, reports it once and recovers', async () => {
    await ctl.start();
    const good = ctl.running.controller.revision?.sha;
    const before = ctl.slack.messages.length;
    await rename(ctl.repo.url, `${ctl.repo.url}.away`);
    const failed = reconciled(ctl.running.controller, (s) => s.triggers.includes('poll'));
    ctl.running.controller.trigger('poll');
    expect((await failed).result).toBe('failure');
    expect(ctl.running.controller.revision?.sha).toBe(good);
    // The last good revision is still reconciled: hand-made drift is reverted during the outage.
    await setThreshold(ctl.aws, 'storefront-cpu-high', 99);
    await ctl.scan();
    expect(await threshold(ctl.aws, 'storefront-cpu-high')).toBe(85);
    const unreachable = ctl.slack.messages.slice(before).filter((m) => m.text.includes('SourceUnavailable'));
    expect(unreachable).toHaveLength(1);

    await rename(`${ctl.repo.url}.away`, ctl.repo.url);
    const back = reconciled(ctl.running.controller, (s) => s.result === 'success');
    ctl.running.controller.trigger('poll');
    await back;
    await ctl.slack.received(before + 3);
    expect(ctl.slack.texts().slice(before).some((t) => t.startsWith('Recovered'))).toBe(true);
  });
});
