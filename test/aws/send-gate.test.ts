import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CreateServiceCommand, ListClustersCommand } from '@aws-sdk/client-ecs';
import { createAws, type Aws } from '../../src/aws/clients.js';
import { within } from '../support/wait.js';

/** An endpoint that counts connections and what reaches it; it answers every call with an empty JSON object, unless held. */
function endpoint() {
  const state = { received: [] as string[], connections: 0, held: [] as (() => void)[], hold: false };
  const server = http.createServer((req, res) => {
    state.received.push(String(req.headers['x-amz-target']).split('.')[1] ?? '');
    const answer = () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}');
    req.resume().on('end', () => (state.hold ? state.held.push(answer) : answer()));
  });
  server.on('connection', () => state.connections++);
  return { server, state };
}

describe('clients with a send gate', () => {
  let target: ReturnType<typeof endpoint>;
  let open: boolean;
  let aws: Aws;

  beforeEach(async () => {
    target = endpoint();
    await new Promise<void>((resolve) => target.server.listen(0, '127.0.0.1', resolve));
    open = true;
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'testing');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'testing');
    aws = createAws({
      endpoint: `http://127.0.0.1:${(target.server.address() as AddressInfo).port}`,
      region: 'eu-west-1',
      maxAttempts: 3,
      sendGate: () => open,
    });
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    aws.ecs.destroy();
    target.server.closeAllConnections();
    await new Promise((resolve) => target.server.close(resolve));
  });

  const createService = () => aws.ecs.send(new CreateServiceCommand({ cluster: 'shop', serviceName: 'storefront' }));

  it('sends while the gate is open, on one kept-alive connection', async () => {
    await aws.ecs.send(new ListClustersCommand({}));
    await createService();
    expect(target.state.received).toEqual(['ListClusters', 'CreateService']);
    expect(target.state.connections).toBe(1);
  });

  it('does not send a call begun before the gate closed, on a new connection', async () => {
    // The gate closes after the call was made and before its connection is up: a leader paused in between.
    const call = createService();
    open = false;
    await expect(call).rejects.toMatchObject({ code: 'LeaseLost' });
    expect(target.state.received).toEqual([]);
  });

  it('does not send a call begun before the gate closed, on a kept-alive connection', async () => {
    await aws.ecs.send(new ListClustersCommand({}));
    const call = createService();
    open = false;
    await expect(call).rejects.toMatchObject({ code: 'LeaseLost' });
    expect(target.state).toMatchObject({ received: ['ListClusters'], connections: 1 });
    // Open again, the same clients send as before.
    open = true;
    await createService();
    expect(target.state.received).toEqual(['ListClusters', 'CreateService']);
  });

  it('does not send calls that waited in the pool for a connection once the gate closed', async () => {
    // 50 connections a host: five more calls queue until one is free, and get a connection only after the gate closed.
    target.state.hold = true;
    const calls = Array.from({ length: 55 }, () => createService().then(() => 'sent', (err: { code?: string }) => err.code));
    await within(
      (async () => {
        while (target.state.held.length < 50) await new Promise((r) => setTimeout(r, 10));
      })(),
      'fifty calls held by the endpoint',
    );
    open = false;
    for (const answer of target.state.held) answer();
    const outcomes = await Promise.all(calls);
    expect(target.state.received).toHaveLength(50);
    expect(outcomes.filter((o) => o === 'sent')).toHaveLength(50);
    expect(outcomes.filter((o) => o === 'LeaseLost')).toHaveLength(5);
    expect(target.state.connections).toBe(50);
  });
});
