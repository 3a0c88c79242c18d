import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { runCli } from '../support/cli.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';
import { EmulatorRecorder } from '../support/recorder.js';
import { FaultProxy } from '../support/fault-proxy.js';

const moto = useMoto();

/** AWS in an outage: every request answers 503; the headers of each are kept. */
async function outage(): Promise<{ url: string; requests: IncomingHttpHeaders[]; server: Server }> {
  const requests: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    requests.push(req.headers);
    req.resume().on('end', () => res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

describe('command errors', () => {
  let dir: string;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    dir = await copyDesiredState();
  });
  afterEach(() => vi.unstubAllEnvs());

  it('plan and drift exit 1 when a resource cannot be read or planned, still showing the rest', async () => {
    await editManifest(dir, 'EcsService/storefront', setField(['spec', 'loadBalancer', 'targetGroup'], 'shop-missing'));
    const plan = await runCli(['plan', dir, '--detailed-exitcode']);
    expect(plan.stdout).toMatch(/x EcsService\/storefront {2}\(error\)/);
    expect(plan.stdout).toContain('+ EcsService/checkout');
    expect(plan.code).toBe(1);
    const drift = await runCli(['drift', dir, '--output', 'json']);
    expect(drift.json<{ resources: { key: string; status: string }[] }>().resources).toContainEqual(expect.objectContaining({ key: 'EcsService/storefront', status: 'error' }));
    expect(drift.code).toBe(1);
  });

  it('an invalid revision stops plan, drift and apply before any AWS call', async () => {
    await editManifest(dir, 'EcsService/storefront', setField(['spec', 'cpu'], 300));
    const recorder = new EmulatorRecorder(moto.endpoint);
    await recorder.start();
    for (const command of [['plan', dir], ['drift', dir], ['apply', dir, '--yes']]) {
      const run = await runCli(command);
      expect(run.code, command[0]).toBe(1);
      expect(run.stderr, command[0]).toMatch(/services\/storefront\.yaml:9:8: EcsService\/storefront: spec\.cpu: 300 is not a Fargate CPU size/);
      expect(run.stdout, command[0]).toBe('');
    }
    expect(await recorder.stop()).toEqual([]);
  });

  it('an unexpected error is one `error:` line, or one {"error"} document with --output json, and exit 1', async () => {
    vi.stubEnv('AWS_REGION', undefined);
    const text = await runCli(['plan', dir]);
    expect(text.stderr).toMatch(/^error: [^\n]*[Rr]egion[^\n]*\n$/);
    expect(text.stdout).toBe('');
    expect(text.code).toBe(1);
    const json = await runCli(['plan', dir, '--output', 'json']);
    expect(json.json()).toMatchObject({ formatVersion: 1, error: expect.stringMatching(/[Rr]egion/) });
    expect(json.stderr).toBe('');
    expect(json.code).toBe(1);
  });

  it('--retry-mode and --max-attempts reach the SDK, as do AWS_RETRY_MODE and AWS_MAX_ATTEMPTS', async () => {
    const aws = await outage();
    try {
      vi.stubEnv('AWS_ENDPOINT_URL', aws.url);
      /** Attempts per logical call, and what the SDK says of its settings on each request. */
      const attempts = () => {
        const byCall = new Map<string, number>();
        for (const h of aws.requests) byCall.set(String(h['amz-sdk-invocation-id']), (byCall.get(String(h['amz-sdk-invocation-id'])) ?? 0) + 1);
        // The user agent's feature metrics (m/...) name the retry mode: E standard, F adaptive (@smithy/types feature ids).
        const modes = aws.requests.map((h) => (/(?:^| )m\/(\S+)/.exec(h['user-agent'] ?? '')?.[1] ?? '').split(',').filter((f) => f === 'E' || f === 'F'));
        return { counts: new Set(byCall.values()), requests: new Set(aws.requests.map((h) => String(h['amz-sdk-request']).replace(/attempt=\d+/, 'attempt=n'))), modes: new Set(modes.map((m) => m.join())) };
      };

      expect((await runCli(['plan', dir, '--retry-mode', 'adaptive', '--max-attempts', '2'])).code).toBe(1);
      const flags = attempts();
      expect(flags.counts).toEqual(new Set([2]));
      expect(flags.requests).toEqual(new Set(['attempt=n; max=2']));
      expect(flags.modes).toEqual(new Set(['F']));

      aws.requests.length = 0;
      vi.stubEnv('AWS_RETRY_MODE', 'standard');
      vi.stubEnv('AWS_MAX_ATTEMPTS', '3');
      expect((await runCli(['plan', dir])).code).toBe(1);
      const env = attempts();
      expect(env.counts).toEqual(new Set([3]));
      expect(env.modes).toEqual(new Set(['E']));
    } finally {
      aws.server.close();
    }
  });

  it('a call AWS never answers fails after --aws-timeout (or BALLAST_AWS_TIMEOUT) on each attempt, and the plan shows the rest', async () => {
    const proxy = new FaultProxy(moto.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL', await proxy.start());
    // Held requests are never answered (stop() drops them); each attempt is counted as it arrives.
    let alarmReads = 0;
    proxy.hold((r) => {
      if (r.operation !== 'DescribeAlarms') return false;
      alarmReads += 1;
      return true;
    });
    try {
      const flag = await runCli(['plan', dir, '--aws-timeout', '2', '--max-attempts', '2']);
      expect(flag.code).toBe(1);
      expect(flag.stdout).toMatch(/x Alarm\/storefront-cpu-high {2}\(error\)/);
      expect(flag.stdout).toContain('error: ETIMEDOUT: @smithy/node-http-handler - [ERROR] a request has exceeded the configured 2000 ms requestTimeout.');
      expect(flag.stdout).toContain('+ EcsService/checkout');
      const byFlag = alarmReads;
      // Two attempts of each batched read (14 alarms: one call), each given up after 2 s (long enough for the others on a loaded machine).
      expect(byFlag).toBe(2);

      vi.stubEnv('BALLAST_AWS_TIMEOUT', '2');
      vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
      const env = await runCli(['plan', dir, '--output', 'json']);
      expect(env.code).toBe(1);
      expect(env.json<{ resources: { key: string; status: string; error?: { code: string } }[] }>().resources).toContainEqual(
        expect.objectContaining({ key: 'Alarm/storefront-cpu-high', status: 'error' }),
      );
      expect(alarmReads - byFlag).toBe(1);

      // Past Node's longest timer every call would time out at once: refused before any call.
      const tooLong = await runCli(['plan', dir, '--aws-timeout', '3000000']);
      expect(tooLong.code).toBe(1);
      expect(tooLong.stderr).toContain('expected seconds from 0 to 2147483, got "3000000"');
    } finally {
      await proxy.stop();
    }
  });

  it('events setup and prices update give a call AWS never answers up after --aws-timeout, with one error line', async () => {
    const proxy = new FaultProxy(moto.endpoint);
    vi.stubEnv('AWS_ENDPOINT_URL', await proxy.start());
    const held: string[] = [];
    proxy.hold((r) => (['CreateQueue', 'GetProducts'].includes(r.operation) ? (held.push(r.operation), true) : false));
    try {
      // Neither command has --max-attempts: the SDK reads AWS_MAX_ATTEMPTS itself.
      vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
      const setup = await runCli(['events', 'setup', '--apply', '--aws-timeout', '1']);
      expect(setup.code).toBe(1);
      expect(setup.stderr).toBe('error: @smithy/node-http-handler - [ERROR] a request has exceeded the configured 1000 ms requestTimeout.\n');
      vi.stubEnv('BALLAST_AWS_TIMEOUT', '1');
      const prices = await runCli(['prices', 'update', '--region', 'eu-west-1', '--out', dir]);
      expect(prices.code).toBe(1);
      expect(prices.stderr).toBe(setup.stderr);
      expect(held).toEqual(['CreateQueue', 'GetProducts']);
    } finally {
      await proxy.stop();
    }
  });
});
