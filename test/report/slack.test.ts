import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotificationPolicy, type Notification } from '../../src/report/notify.js';
import { SlackNotifier } from '../../src/report/slack.js';

/** A local stand-in for Slack's incoming webhook, answering every POST with `status`. */
async function receiver(status: number) {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'invalid_payload');
      server.emit('posted', { req, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  servers.push(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/s3cr3tw3bh00k`;
  return { server, url, posted: once(server, 'posted') as Promise<[{ req: IncomingMessage; body: unknown }]> };
}

const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((s) => new Promise((done) => s.close(done))));
});

function warnings() {
  const logged: { obj: object; msg: string }[] = [];
  return { logged, logger: { warn: (obj: object, msg: string) => void logged.push({ obj, msg }) } };
}

const drift: Notification = new NotificationPolicy({ quietPeriodMs: 3_600_000 }).decide({
  revision: 'abcdef0123',
  triggers: ['drift-scan'],
  drift: [{ key: 'Alarm/shop-db-cpu-high', path: 'spec.threshold', live: 95, desired: 80, mode: 'enforce', corrected: true }],
  applied: [],
  failures: [],
})[0] as Notification;

describe('SlackNotifier', () => {
  it('posts the Block Kit message with its plain text fallback as JSON', async () => {
    const slack = await receiver(200);
    const sent = new SlackNotifier(slack.url).send(drift);
    const [{ req, body }] = await slack.posted;
    expect(await sent).toBe(true);
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/services/T000/B000/s3cr3tw3bh00k');
    expect(req.headers['content-type']).toBe('application/json');
    expect(body).toEqual({ text: drift.text, blocks: drift.blocks });
    expect(drift.text).toContain('Alarm/shop-db-cpu-high spec.threshold: 95 -&gt; 80 (reverted)');
  });

  it('resolves false and logs a warning without the webhook URL when Slack answers 500', async () => {
    const slack = await receiver(500);
    const { logged, logger } = warnings();
    const sent = new SlackNotifier(slack.url, logger).send(drift);
    await slack.posted;
    await expect(sent).resolves.toBe(false);
    expect(logged).toEqual([{ obj: { notification: 'drift', status: 500 }, msg: 'Slack notification not sent' }]);
  });

  it('resolves false without leaking the URL when Slack cannot be reached', async () => {
    const slack = await receiver(200);
    await new Promise((done) => slack.server.close(done));
    const { logged, logger } = warnings();
    await expect(new SlackNotifier(slack.url, logger).send(drift)).resolves.toBe(false);
    expect(logged).toHaveLength(1);
    expect(JSON.stringify(logged)).toContain('ECONNREFUSED');
    expect(JSON.stringify(logged)).not.toContain('s3cr3tw3bh00k');
  });

  it('asks nothing of the network without a webhook URL, while the same message with one is posted', async () => {
    const slack = await receiver(200);
    let posts = 0;
    slack.server.on('request', () => (posts += 1));
    // Every request the notifier could make goes through fetch: watched, not replaced.
    const fetches = vi.spyOn(globalThis, 'fetch');

    await expect(new SlackNotifier(undefined).send(drift)).resolves.toBe(false);
    await expect(new SlackNotifier('').send(drift)).resolves.toBe(false);
    expect(fetches).not.toHaveBeenCalled();

    // The same message with the receiver's URL does arrive: the watch above would have seen a request.
    await expect(new SlackNotifier(slack.url).send(drift)).resolves.toBe(true);
    expect(fetches).toHaveBeenCalledTimes(1);
    expect(posts).toBe(1);
  });
});
