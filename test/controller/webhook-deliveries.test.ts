import { appendFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { startController, type RunningController } from '../../src/controller/run.js';
import { CONTROLLER_DEFAULTS } from '../../src/controller/config.js';
import type { ReconcileSummary } from '../../src/controller/controller.js';
import { signBody } from '../../src/source/webhook.js';
import { useMoto } from '../support/moto.js';
import { settled } from '../support/controller.js';
import { within } from '../support/wait.js';
import { createNetwork } from '../../src/demo/network.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { tempDir } from '../support/temp.js';

const moto = useMoto();
const SECRET = 'webhook-secret-for-tests';

describe('webhook deliveries', () => {
  let repo: TestRepo;
  let running: RunningController;
  let logs: { msg: string; [k: string]: unknown }[];

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    repo = await createRepo();
    logs = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(JSON.parse(chunk.toString()) as never), done()) });
    running = await startController(
      { ...CONTROLLER_DEFAULTS, repoUrl: repo.url, workdir: await tempDir('clone'), pollInterval: 3600, driftSchedule: '0 0 1 1 *', webhookSecret: SECRET, port: 0, host: '127.0.0.1', healthPollInterval: 0.05 },
      pino({ level: 'info' }, sink),
    );
    const first = await new Promise<ReconcileSummary>((resolve) => running.controller.once('reconciled', resolve));
    expect(first.result, JSON.stringify(logs.filter((l) => l.level !== 30 || /source|revision/.test(l.msg)))).toBe('success');
    // The health reads after the first rollouts are runs too: each test starts once they settled.
    await settled(running.controller);
  });
  afterEach(async () => {
    await running.stop();
    await removeRepo(repo);
  });

  const send = (body: string, headers: Record<string, string>) =>
    fetch(`${running.url}/webhook`, { method: 'POST', headers: { 'x-github-event': 'push', ...headers }, body });
  const json = (after: string, delivery: string) => {
    const body = JSON.stringify({ ref: 'refs/heads/main', after, repository: { full_name: 'shop/estate' } });
    return send(body, { 'content-type': 'application/json', 'x-github-delivery': delivery, 'x-hub-signature-256': signBody(SECRET, body) });
  };
  const deliveryLog = (delivery: string) => logs.filter((l) => l.msg === 'webhook' && l.delivery === delivery);

  it('accepts a form-encoded push signed over its raw body, once per delivery id, and logs each delivery', async () => {
    await appendFile(path.join(repo.work, 'desired-state', 'services', 'storefront.yaml'), '# a comment only\n');
    const head = await repo.push('a comment only');
    const form = `payload=${encodeURIComponent(JSON.stringify({ ref: 'refs/heads/main', after: head }))}`;
    const headers = { 'content-type': 'application/x-www-form-urlencoded', 'x-github-delivery': 'd-1', 'x-hub-signature-256': signBody(SECRET, form) };
    // A poll or scan may run first; wait for the run that took the pushed revision.
    const reconciled = new Promise<ReconcileSummary>((resolve) => {
      const onRun = (summary: ReconcileSummary) => {
        if (summary.revision !== head) return;
        running.controller.off('reconciled', onRun);
        resolve(summary);
      };
      running.controller.on('reconciled', onRun);
    });
    expect(await (await send(form, headers)).json()).toEqual({ accepted: true });
    expect((await within(reconciled, 'the reconcile of the pushed revision')).triggers).toContain('webhook');
    expect(running.controller.revision?.sha).toBe(head);
    // GitHub redelivers with the same id: ignored.
    expect(await (await send(form, headers)).json()).toEqual({ accepted: false, reason: 'delivery d-1 already received' });
    expect(running.controller.busy).toBe(false);
    expect(deliveryLog('d-1').map((l) => [l.event, l.result, l.status])).toEqual([['push', 'triggered', 202], ['push', 'duplicate delivery', 202]]);
  });

  it('a push of the revision in force or a branch deletion makes no AWS call; a forged one is logged without its body', async () => {
    const calls = running.metrics.awsCalls;
    const before = JSON.stringify((await calls.get()).values);
    expect(await (await json(running.controller.revision!.sha, 'd-2')).json()).toMatchObject({ accepted: false, reason: expect.stringContaining('already in force') });
    expect(await (await json('0'.repeat(40), 'd-3')).json()).toMatchObject({ accepted: false, reason: expect.stringContaining('was deleted') });
    const forged = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40), note: 'forged-body-text' });
    expect((await send(forged, { 'content-type': 'application/json', 'x-github-delivery': 'd-4', 'x-hub-signature-256': signBody('wrong', forged) })).status).toBe(401);
    expect(running.controller.busy).toBe(false);
    expect(JSON.stringify((await calls.get()).values)).toBe(before);
    expect(deliveryLog('d-4')).toEqual([expect.objectContaining({ result: 'bad signature', status: 401 })]);
    expect(JSON.stringify(logs)).not.toContain('forged-body-text');
  });

  it('takes a body of 20 MB, within the 25 MB GitHub may send', async () => {
    const body = JSON.stringify({ ref: 'refs/heads/other', after: 'b'.repeat(40), padding: 'x'.repeat(20 * 1024 * 1024) });
    const res = await send(body, { 'content-type': 'application/json', 'x-github-delivery': 'd-5', 'x-hub-signature-256': signBody(SECRET, body) });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: false, reason: 'push to refs/heads/other, watching main' });
  });
});
