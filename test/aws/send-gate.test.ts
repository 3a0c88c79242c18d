import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CreateServiceCommand, ListClustersCommand } from '@aws-sdk/client-ecs';
import { createAws, type Aws } from '../../src/aws/clients.js';

/** An endpoint that counts what reaches it and answers every call with an empty JSON object. */
function endpoint() {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    received.push(String(req.headers['x-amz-target']).split('.')[1] ?? '');
    req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end('{}'));
  });
  return { server, received };
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

  it('sends while the gate is open', async () => {
    await aws.ecs.send(new ListClustersCommand({}));
    await createService();
    expect(target.received).toEqual(['ListClusters', 'CreateService']);
  });

  it('does not send a call begun before the gate closed, on a new connection', async () => {
    // The gate closes after the call was made and before its connection is up: a leader paused in between.
    const call = createService();
    open = false;
    await expect(call).rejects.toMatchObject({ code: 'LeaseLost' });
    expect(target.received).toEqual([]);
  });

  it('does not send a call begun before the gate closed, on a kept-alive connection', async () => {
    await aws.ecs.send(new ListClustersCommand({}));
    const call = createService();
    open = false;
    await expect(call).rejects.toMatchObject({ code: 'LeaseLost' });
    expect(target.received).toEqual(['ListClusters']);
    // Open again, the same clients send as before.
    open = true;
    await createService();
    expect(target.received).toEqual(['ListClusters', 'CreateService']);
  });
});
