import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import parsePrometheus from 'parse-prometheus-text-format';
import { useMoto } from '../support/moto.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { startTestController } from '../support/controller.js';
import type { RunningController } from '../../src/controller/run.js';
import { SlackReceiver } from '../support/slack.js';
import { alarmNames, awsIn, createRole, EU, targetRepository, US } from '../support/accounts.js';

const moto = useMoto();

describe('the controller with two targets', () => {
  let repo: TestRepo | undefined;
  let running: RunningController | undefined;
  let slack: SlackReceiver;

  beforeEach(async () => {
    slack = new SlackReceiver();
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createRole(moto.endpoint, EU.account, 'ballast', EU.externalId);
  });
  afterEach(async () => {
    await running?.stop();
    await slack.stop();
    if (repo) await removeRepo(repo);
    running = undefined;
    repo = undefined;
  });

  it('reconciles each target on its own: one whose role cannot be assumed fails only its resources, named by target in /status, /metrics and Slack', async () => {
    const { dir, eu } = await targetRepository('missing-role');
    repo = await createRepo(dir);
    const logs: string[] = [];
    const started = await startTestController({ repoUrl: repo.url, controllerId: 'ci', slackWebhookUrl: await slack.start() }, logs);
    running = started.running;
    expect(started.first.result).toBe('failure');
    expect(await alarmNames(awsIn(moto.endpoint, eu))).toEqual(['eu-cpu', 'eu-memory']);

    const status = (await (await fetch(`${running.url}/status`)).json()) as { resources: { key: string; target?: string; status: string; lastError?: { code: string } }[] };
    expect(status.resources.map((r) => [r.key, r.target, r.status, r.lastError?.code]).sort()).toEqual([
      ['Alarm/eu-cpu', 'prod-eu', 'create', undefined],
      ['Alarm/eu-memory', 'prod-eu', 'create', undefined],
      ['Alarm/us-cpu', 'prod-us', 'error', 'AccessDenied'],
    ]);
    const families = parsePrometheus(await (await fetch(`${running.url}/metrics`)).text());
    const info = families.find((f) => f.name === 'ballast_resource_info')!.metrics.map((m) => m.labels ?? {});
    expect(info.map((l) => [l.name, l.target, l.status]).sort()).toEqual([
      ['eu-cpu', 'prod-eu', 'create'],
      ['eu-memory', 'prod-eu', 'create'],
      ['us-cpu', 'prod-us', 'error'],
    ]);
    const failed = logs.map((l) => JSON.parse(l) as { msg: string; resource?: string; target?: string }).filter((l) => l.msg === 'resource failed');
    expect(failed.map((l) => [l.resource, l.target])).toEqual([['Alarm/us-cpu', 'prod-us']]);
    await slack.received(2);
    const told = JSON.stringify(slack.messages);
    expect(told).toContain('Alarm/eu-cpu (target prod-eu)');
    expect(told).toContain('Alarm/us-cpu (target prod-us)');

    // Once the role exists, the next reconcile converges that target too, with nothing to do in the other.
    await createRole(moto.endpoint, US.account, 'missing-role');
    running.controller.trigger('drift-scan');
    const next = await new Promise<{ result: string }>((resolve) => running!.controller.once('reconciled', resolve));
    expect(next.result).toBe('success');
    expect(await alarmNames(awsIn(moto.endpoint, { ...eu, spec: { ...eu.spec, accountId: US.account, region: US.region, roleArn: `arn:aws:iam::${US.account}:role/missing-role`, externalId: undefined } }))).toEqual(['us-cpu']);
  });
});
