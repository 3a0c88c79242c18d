import { rename } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startController, type RunningController } from '../../src/controller/run.js';
import { CONTROLLER_DEFAULTS } from '../../src/controller/config.js';
import type { ReconcileSummary, Trigger } from '../../src/controller/controller.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { editManifest, setField } from '../support/manifests.js';
import { within } from '../support/wait.js';
import { tempDir } from '../support/temp.js';
import { settled } from '../support/controller.js';

const moto = useMoto();

describe('the controller loop', () => {
  let repo: TestRepo;
  let running: RunningController | undefined;
  let logs: string[];

  async function start(repoUrl: string): Promise<ReconcileSummary> {
    logs = [];
    const sink = new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString()), done()) });
    running = await startController(
      {
        ...CONTROLLER_DEFAULTS,
        repoUrl,
        workdir: await tempDir('clone'),
        pollInterval: 3600,
        driftSchedule: '0 0 1 1 *',
        port: 0,
        host: '127.0.0.1',
        healthPollInterval: 0.05,
      },
      pino({ level: 'info' }, sink),
    );
    const controller = running.controller;
    const first = await (controller.lastReconcile ?? new Promise<ReconcileSummary>((resolve) => controller.once('reconciled', resolve)));
    await settled(controller);
    return first;
  }

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    repo = await createRepo();
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await removeRepo(repo);
  });

  it('folds every trigger that arrives during a reconcile into one follow-up run that keeps every reason', async () => {
    await start(repo.url);
    const controller = running!.controller;
    const seen: Trigger[][] = [];
    controller.on('started', (t) => seen.push(t));
    const summaries: ReconcileSummary[] = [];
    const two = within(
      new Promise<void>((resolve) => controller.on('reconciled', (s) => summaries.push(s) === 2 && resolve())),
      'two reconciles',
    );
    controller.trigger('poll');
    for (let i = 0; i < 5; i++) controller.trigger('drift-scan');
    controller.trigger('webhook');
    await two;
    expect(seen).toEqual([['poll'], ['drift-scan', 'webhook']]);
    expect(summaries.map((s) => s.triggers)).toEqual(seen);
    expect(controller.busy).toBe(false);
    // Every reason shows in the log, on /status and in the metrics.
    const started = logs.map((l) => JSON.parse(l) as { msg: string; triggers?: string[] }).filter((l) => l.msg === 'reconcile started');
    expect(started.at(-1)?.triggers).toEqual(['drift-scan', 'webhook']);
    const status = (await (await fetch(`${running!.url}/status`)).json()) as { lastReconcile: { triggers: string[] } };
    expect(status.lastReconcile.triggers).toEqual(['drift-scan', 'webhook']);
    expect(await (await fetch(`${running!.url}/metrics`)).text()).toMatch(/ballast_reconcile_duration_seconds_count\{trigger="drift-scan\+webhook"\} 1/);
  });

  it('never lets a queued poll swallow a drift scan: the folded run reads AWS', async () => {
    await start(repo.url);
    const controller = running!.controller;
    let followUp = -1;
    controller.on('started', (t) => t.includes('drift-scan') && (followUp = logs.length));
    const done = within(new Promise<ReconcileSummary>((resolve) => controller.on('reconciled', (s) => s.triggers.includes('drift-scan') && resolve(s))), 'the folded run');
    controller.trigger('webhook');
    controller.trigger('poll');
    controller.trigger('drift-scan');
    expect((await done).triggers).toEqual(['poll', 'drift-scan']);
    expect(logs.slice(followUp).some((l) => l.includes('observed and planned'))).toBe(true);
  });

  it('is not ready without a revision, and backs off with jitter after a failure it may recover from', async () => {
    const first = await start(path.join(path.dirname(repo.url), 'missing.git'));
    expect(first).toMatchObject({ result: 'source_error', retry: true });
    const ready = await fetch(`${running!.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ ready: false, revisionLoaded: false, awsReachable: false });
    const backoff = logs.map((l) => JSON.parse(l) as { msg: string; retryInMs?: number }).find((l) => l.msg === 'reconcile failed: backing off');
    // First failure: between half and all of the 5 s base.
    expect(backoff?.retryInMs).toBeGreaterThanOrEqual(2500);
    expect(backoff?.retryInMs).toBeLessThanOrEqual(5000);
  });

  it('doubles its backoff from 5 s up to 5 minutes while the failure lasts, and starts again at 5 s after a success (a health read\'s is none)', async () => {
    const later = path.join(path.dirname(repo.url), 'later.git');
    await start(later);
    const controller = running!.controller;
    const backoffs = () => logs.map((l) => JSON.parse(l) as { msg: string; failures?: number; retryInMs?: number }).filter((l) => l.msg === 'reconcile failed: backing off');
    /** One more reconcile now (as the retry timer would start it), and its outcome. */
    const again = async (trigger: 'retry' | 'poll' | 'progress' = 'retry') => {
      const done = within(new Promise<ReconcileSummary>((resolve) => controller.once('reconciled', resolve)), `a ${trigger} reconcile`);
      controller.trigger(trigger);
      return done;
    };
    for (let i = 0; i < 8; i++) expect(await again()).toMatchObject({ result: 'source_error', retry: true });
    // Each wait lies between half and all of its ceiling: 5 s, doubling, never above 5 min.
    const ceilings = [5, 10, 20, 40, 80, 160, 300, 300, 300].map((s) => s * 1000);
    expect(backoffs().map((b) => b.failures)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    backoffs().forEach((b, i) => {
      expect(b.retryInMs).toBeGreaterThanOrEqual(ceilings[i]! / 2);
      expect(b.retryInMs).toBeLessThanOrEqual(ceilings[i]!);
    });

    await rename(repo.url, later);
    expect(await again()).toMatchObject({ result: 'success', retry: false });
    await settled(controller);
    await rename(later, repo.url);
    // With a good revision in force, the outage is a failed reconcile of it.
    expect(await again('poll')).toMatchObject({ result: 'failure', retry: true });
    expect(backoffs().at(-1)?.failures).toBe(1);
    expect(backoffs().at(-1)?.retryInMs).toBeLessThanOrEqual(5000);
    // A health read (nothing is progressing) succeeds without a fetch: the outage's retry still comes by itself, and counts on.
    expect(await again('progress')).toMatchObject({ triggers: ['progress'], result: 'success', retry: false });
    const retried = await within(new Promise<ReconcileSummary>((resolve) => controller.once('reconciled', resolve)), 'the retry', 10_000);
    expect(retried).toMatchObject({ triggers: ['retry'], result: 'failure', retry: true });
    expect(backoffs().at(-1)?.failures).toBe(2);
  });

  it('does not retry a failure that cannot pass by itself, such as a reference to nothing', async () => {
    await editManifest(path.join(repo.work, 'desired-state'), 'EcsService/storefront', setField(['spec', 'loadBalancer', 'targetGroup'], 'shop-missing'));
    await repo.push('storefront behind a target group that does not exist');
    const first = await start(repo.url);
    expect(first).toMatchObject({ result: 'failure', retry: false });
    expect(logs.some((l) => l.includes('backing off'))).toBe(false);
    expect(logs.some((l) => l.includes('"code":"ReferenceNotFound"'))).toBe(true);
  });

  it('leaves AWS alone on a poll that finds the commit already reconciled', async () => {
    await start(repo.url);
    const controller = running!.controller;
    const polled = new Promise<ReconcileSummary>((resolve) => controller.once('reconciled', resolve));
    const before = logs.length;
    controller.trigger('poll');
    expect(await polled).toMatchObject({ triggers: ['poll'], result: 'success', writes: 0 });
    expect(logs.slice(before).some((l) => l.includes('observed and planned'))).toBe(false);
    // A drift scan still reads everything.
    const scanned = new Promise<ReconcileSummary>((resolve) => controller.once('reconciled', resolve));
    controller.trigger('drift-scan');
    await scanned;
    expect(logs.slice(before).some((l) => l.includes('observed and planned'))).toBe(true);
  });
});
