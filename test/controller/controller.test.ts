import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import type { Aws } from '../../src/aws/clients.js';
import type { RunningController } from '../../src/controller/run.js';
import type { ControllerConfig } from '../../src/controller/config.js';
import type { ReconcileSummary } from '../../src/controller/controller.js';
import { signBody } from '../../src/source/webhook.js';
import { useMoto } from '../support/moto.js';
import type { TestRepo } from '../support/git.js';
import type { SlackReceiver } from '../support/slack.js';
import { editManifest, setField } from '../support/manifests.js';
import { editTask, threshold } from '../support/hand-changes.js';
import { nextReconcile, settled, startOnEstate, useControllerEstate } from '../support/controller.js';
import { postWebhook, pushEvent } from '../support/webhook.js';

const moto = useMoto();
const SECRET = 'webhook-secret-for-tests';

// `ballast run` in-process against the emulator: convergence, webhooks, secrets and rejected revisions.
describe('ballast run', () => {
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
    expect((await postWebhook(running.url, pushEvent(), signBody('wrong-secret', pushEvent()))).status).toBe(401);
    const applied = nextReconcile(running.controller, (s) => s.triggers.includes('webhook'));
    expect((await postWebhook(running.url, pushEvent(), signBody(SECRET, pushEvent()))).status).toBe(202);
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

    expect((await postWebhook(running.url, pushEvent())).status).toBe(401);
    expect((await postWebhook(running.url, pushEvent(), signBody('wrong-secret', pushEvent()))).status).toBe(401);
    expect((await postWebhook(running.url, pushEvent(), 'sha256=' + '0'.repeat(64))).status).toBe(401);
    expect(running.controller.busy).toBe(false);

    const applied = nextReconcile(running.controller, (s) => s.revision === pushed);
    const accepted = await postWebhook(running.url, pushEvent(), signBody(SECRET, pushEvent()));
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
    const scanned = nextReconcile(running.controller, (s) => s.triggers.includes('drift-scan'));
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

    const rejected = nextReconcile(running.controller, () => running.controller.badRevision?.sha === bad);
    await postWebhook(running.url, pushEvent(), signBody(SECRET, pushEvent()));
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
    const again = nextReconcile(running.controller, (s) => s.triggers.includes('drift-scan'));
    running.controller.trigger('drift-scan');
    await again;
    const invalid = slack.messages.slice(before).filter((m) => m.text.includes('Invalid revision'));
    expect(invalid).toHaveLength(1);
    expect(invalid[0]!.text).toContain('desired-state/services/storefront.yaml:9:8');
    expect(slack.messages.slice(before)).toHaveLength(1);
    // Counted once, as the reconcile that rejected it.
    expect(await (await fetch(`${running.url}/metrics`)).text()).toContain('ballast_reconciles_total{result="invalid"} 1');
  });

});
