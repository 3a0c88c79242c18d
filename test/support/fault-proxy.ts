import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { isReadOperation } from '../../src/aws/counter.js';

/** Shares of requests (0..1) that meet each fault, and a delay for all. */
export interface Faults {
  /** Answered 429 with the protocol's throttling error, never forwarded. */
  throttle?: number;
  /** Answered 503, never forwarded. */
  serverError?: number;
  /** Forwarded and carried out, but the connection is cut before the answer: the caller cannot know it happened. */
  lose?: number;
  latencyMs?: number;
  /** An extra delay for estate writes only (not the lease's calls), to stretch an apply without slowing reads. */
  writeLatencyMs?: number;
}

export interface ProxiedRequest {
  /** When the request began to arrive (its headers). */
  at: number;
  /** The signing name, e.g. ecs, monitoring, dynamodb. */
  service: string;
  /** The region of the signature's credential scope. */
  region: string;
  operation: string;
  outcome: 'forwarded' | 'throttled' | 'server-error' | 'lost';
}

/** The operation of an AWS request: JSON protocols name it in X-Amz-Target, RPC v2 in the path, query protocols in the body. */
function operationOf(req: IncomingMessage, body: string): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').pop()!;
  const fromPath = /\/operation\/(\w+)/.exec(req.url ?? '')?.[1];
  if (fromPath) return fromPath;
  return new URLSearchParams(body).get('Action') ?? `${req.method} ${req.url}`;
}

/**
 * A small HTTP proxy in front of the emulator that injects faults the way AWS shows them (throttling, 5xx, lost
 * responses, latency) and records every request with its operation. Faults hit a deterministic share of requests
 * (every n-th), so a test fails the same way every time. Give each controller its own proxy to know who wrote what.
 */
export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  faults: Faults = {};
  private holds: { match: (r: Pick<ProxiedRequest, 'service' | 'operation'>) => boolean; released: Promise<void>; release: () => void }[] = [];
  private server?: Server;
  private count = 0;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Drops held requests (their connections closed), so a client waiting on one is not left hanging. */
  stop(): Promise<void> {
    for (const h of this.holds) h.release();
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Holds back the requests matching, from now on, until the returned function is called (it lets them all go). */
  hold(match: (r: Pick<ProxiedRequest, 'service' | 'operation'>) => boolean): () => void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holds.push({ match, released, release });
    return release;
  }

  /** Writes to the estate that reached the emulator (lost ones included: they were carried out) since a time; lease calls apart. */
  writes(since = 0): ProxiedRequest[] {
    return this.requests.filter(
      (r) => r.at >= since && r.service !== 'dynamodb' && !isReadOperation(r.operation) && (r.outcome === 'forwarded' || r.outcome === 'lost'),
    );
  }

  private hits(share: number | undefined, n: number): boolean {
    return share !== undefined && share > 0 && Math.floor(n * share) > Math.floor((n - 1) * share);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // When the request began: a call whose headers left before its sender was paused was in flight, not sent after.
    const at = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const n = ++this.count;
    const operation = operationOf(req, body.toString());
    const [, region = 'unknown', service = 'unknown'] = /Credential=[^/]+\/[^/]+\/([^/]+)\/([^/]+)\//.exec(String(req.headers.authorization)) ?? [];
    const record = (outcome: ProxiedRequest['outcome']) => this.requests.push({ at, service, region, operation, outcome });
    for (const h of this.holds) if (h.match({ service, operation })) await h.released;
    // Let go by stop(): dropped, not sent after the test.
    if (!this.server?.listening) return void req.socket.destroy();
    const { faults } = this;
    if (faults.latencyMs) await sleep(faults.latencyMs);
    if (faults.writeLatencyMs && service !== 'dynamodb' && !isReadOperation(operation)) await sleep(faults.writeLatencyMs);
    if (this.hits(faults.throttle, n)) {
      record('throttled');
      const query = String(req.headers['content-type']).includes('x-www-form-urlencoded');
      res.writeHead(429, { 'content-type': query ? 'text/xml' : 'application/x-amz-json-1.1', 'x-amzn-errortype': 'ThrottlingException' });
      return void res.end(
        query
          ? '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>proxy</RequestId></ErrorResponse>'
          : '{"__type":"ThrottlingException","message":"Rate exceeded"}',
      );
    }
    if (this.hits(faults.serverError, n)) {
      record('server-error');
      res.writeHead(503);
      return void res.end();
    }
    const lose = this.hits(faults.lose, n);
    const url = new URL(req.url ?? '/', this.target);
    const upstream = request(url, { method: req.method, headers: { ...req.headers, host: url.host } }, (answer) => {
      record(lose ? 'lost' : 'forwarded');
      if (lose) {
        answer.resume();
        return void req.socket.destroy();
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  }
}
