import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Serves the bare repositories under a folder over smart HTTP (`git http-backend` as a CGI), answering 401 to any
 * request without `Authorization: Basic user:token`, like GitHub does for a private repository. `hold()` keeps the
 * next requests waiting until released, so a test can look at the git processes of a fetch in flight.
 */
export class GitHttpServer {
  /** Every Authorization header received (to show the credentials travelled as a header). */
  readonly authorizations: string[] = [];
  private server?: Server;
  private gate?: { promise: Promise<void>; release: () => void; arrived: () => void; waiting: Promise<void> };

  constructor(
    private readonly projectRoot: string,
    private readonly credentials: { user: string; token: string },
  ) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(({ status, headers, body }) => res.writeHead(status, headers).end(body));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    this.gate?.release();
    this.server?.closeAllConnections();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Holds authenticated requests from now on; `arrived` resolves when the first is waiting. */
  hold(): { arrived: Promise<void>; release: () => void } {
    let release = () => {};
    let arrived = () => {};
    const promise = new Promise<void>((resolve) => (release = resolve));
    const waiting = new Promise<void>((resolve) => (arrived = resolve));
    this.gate = { promise, release, arrived, waiting };
    return {
      arrived: waiting,
      release: () => {
        this.gate = undefined;
        release();
      },
    };
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const expected = `Basic ${Buffer.from(`${this.credentials.user}:${this.credentials.token}`).toString('base64')}`;
    if (req.headers.authorization) this.authorizations.push(req.headers.authorization);
    if (req.headers.authorization !== expected) return { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="git"' }, body: Buffer.from('unauthorized') };
    if (this.gate) {
      this.gate.arrived();
      await this.gate.promise;
    }
    const url = new URL(req.url ?? '/', 'http://git');
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      GIT_PROJECT_ROOT: this.projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: url.pathname,
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: this.credentials.user,
      ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
      ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    };
    const cgi = spawn('git', ['http-backend'], { env });
    const out: Buffer[] = [];
    cgi.stdout.on('data', (c: Buffer) => out.push(c));
    // http-backend may exit before reading its input (a GET, a request it refuses): its answer is what counts, not EPIPE.
    cgi.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
    cgi.stdin.end(Buffer.concat(chunks));
    await new Promise((resolve) => cgi.on('close', resolve));
    const all = Buffer.concat(out);
    const split = all.indexOf('\r\n\r\n');
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of all.subarray(0, split).toString().split('\r\n')) {
      const [name, ...rest] = line.split(':');
      const value = rest.join(':').trim();
      if (name?.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else if (name) headers[name] = value;
    }
    return { status, headers, body: all.subarray(split + 4) };
  }
}
