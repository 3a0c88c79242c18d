import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningController } from '../../src/controller/run.js';
import { type ControllerConfig } from '../../src/controller/config.js';
import type { ReconcileSummary } from '../../src/controller/controller.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { SlackReceiver } from '../support/slack.js';
import { FaultProxy } from '../support/fault-proxy.js';
import { within } from '../support/wait.js';
import { nextReconcile, settled, startTestController } from '../support/controller.js';

const moto = useMoto();

describe('transient failures and Slack', () => {
  let repo: TestRepo;
  let slack: SlackReceiver;
  let proxy: FaultProxy;
  let running: RunningController | undefined;

  async function start(overrides: Partial<ControllerConfig> = {}): Promise<ReconcileSummary> {
    process.env.AWS_ENDPOINT_URL = await proxy.start();
    // The SDK gives up at once: each throttled reconcile is one failed attempt the controller counts.
    const started = await startTestController({ repoUrl: repo.url, slackWebhookUrl: await slack.start(), maxAttempts: 1, ...overrides });
    running = started.running;
    // The rollouts of the first run are followed by health reads that also end as reconciles: counted runs start after.
    await settled(running.controller);
    return started.first;
  }

  /** Asks for a drift scan and answers the next reconcile (a backoff retry may come first: that one counts too). */
  function next(): Promise<ReconcileSummary> {
    const done = within(new Promise<ReconcileSummary>((resolve) => running!.controller.once('reconciled', resolve)), 'the next reconcile');
    running!.controller.trigger('drift-scan');
    return done;
  }

  const failedMessages = () => slack.texts().filter((t) => t.startsWith('Reconcile failed'));

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    repo = await createRepo();
    slack = new SlackReceiver();
    proxy = new FaultProxy(moto.endpoint);
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await proxy.stop();
    await slack.stop();
    await removeRepo(repo);
  });

  it('says nothing of throttling that heals within two reconciles, and tells it once when it lasts three', async () => {
    expect((await start()).result).toBe('success');
    const before = slack.messages.length;

    proxy.faults = { throttle: 1 };
    expect((await next()).result).toBe('failure');
    expect((await next()).result).toBe('failure');
    proxy.faults = {};
    expect((await next()).result).toBe('success');
    expect(proxy.requests.some((r) => r.outcome === 'throttled')).toBe(true);
    // Neither the failure nor a recovery from it: Slack never knew.
    expect(slack.messages.slice(before)).toEqual([]);

    proxy.faults = { throttle: 1 };
    for (let i = 0; i < 3; i++) expect((await next()).result).toBe('failure');
    await slack.received(before + 1);
    expect(failedMessages()).toHaveLength(1);
    expect(failedMessages()[0]).toMatch(/Throttl/);
    // Lasting longer says nothing new; healing says so once.
    expect((await next()).result).toBe('failure');
    proxy.faults = {};
    expect((await next()).result).toBe('success');
    await slack.received(before + 2);
    expect(failedMessages()).toHaveLength(1);
    expect(slack.texts().slice(before).filter((t) => t.startsWith('Recovered'))).toHaveLength(1);
  });

  it('after a failed reconcile, a health read that succeeds does not let a poll of the same commit skip AWS', async () => {
    await start();
    const controller = running!.controller;
    proxy.faults = { throttle: 1 };
    expect((await next()).result).toBe('failure');
    proxy.faults = {};
    const sent = proxy.requests.length;
    // A health read with nothing progressing reads nothing and succeeds; then a poll of the same commit. The backoff's
    // retry (2.5 s at the soonest) may fold into either on a loaded machine: each then reads AWS, as it should.
    const one = (trigger: 'progress' | 'poll') => {
      const done = nextReconcile(controller, (s) => s.triggers.includes(trigger));
      controller.trigger(trigger);
      return done;
    };
    expect(await one('progress')).toMatchObject({ result: 'success' });
    // The commit was not reconciled: the poll reads AWS (and heals) instead of taking the health read for the estate's.
    expect(await one('poll')).toMatchObject({ result: 'success' });
    expect(proxy.requests.length).toBeGreaterThan(sent);
  });

  it('after an event\'s reconcile fails, a poll of the same commit reads AWS rather than cancel the retry due', async () => {
    await start();
    const controller = running!.controller;
    proxy.faults = { throttle: 1 };
    const failed = nextReconcile(controller, (s) => s.triggers.includes('event'));
    controller.trigger('event', ['EcsService/storefront']);
    expect(await failed).toMatchObject({ only: ['EcsService/storefront'], result: 'failure', retry: true });
    proxy.faults = {};
    const sent = proxy.requests.length;
    const poll = nextReconcile(controller, (s) => s.triggers.includes('poll'));
    controller.trigger('poll');
    expect(await poll).toMatchObject({ result: 'success' });
    expect(proxy.requests.length).toBeGreaterThan(sent);
  });
});
