import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';

interface Operation {
  requestBody?: { required?: boolean; content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { examples?: Record<string, { value?: unknown }> }> }>;
}
type Spec = { paths: Record<string, Record<string, Operation>> } & Record<string, unknown>;

let spec: Spec | undefined;
/** GitHub's published OpenAPI description of api.github.com (@octokit/openapi), read once per test file. */
function githubSpec(): Spec {
  const file = createRequire(import.meta.url).resolve('@octokit/openapi/generated/api.github.com.json');
  return (spec ??= JSON.parse(readFileSync(file, 'utf8')) as Spec);
}

/** Replaces local `$ref`s by what they point at, so ajv sees one self-contained schema. */
function resolve(node: unknown, root: Spec, depth = 0): unknown {
  if (depth > 40 || node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) return node.map((n) => resolve(n, root, depth + 1));
  const ref = (node as { $ref?: string }).$ref;
  if (ref?.startsWith('#/')) {
    const target = ref.slice(2).split('/').reduce<unknown>((n, part) => (n as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')], root);
    return resolve(target, root, depth + 1);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolve(v, root, depth + 1)]));
}

export interface GitHubRequest {
  method: string;
  path: string;
  operation?: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * A local stand-in for api.github.com that checks every request against GitHub's OpenAPI description: the path
 * and method must be an operation, the body must match its schema, and the headers GitHub asks for must be there.
 * Requests that do not are answered 422 (as GitHub does) and listed in `problems`.
 */
export class GitHubStandIn {
  readonly requests: GitHubRequest[] = [];
  readonly problems: string[] = [];
  private server?: Server;
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly ajv = new Ajv({ strict: false, allErrors: true });

  async start(): Promise<string> {
    const root = githubSpec();
    const operations = Object.entries(root.paths).map(([template, methods]) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
      methods,
    }))
      // The most literal template wins: /repos/{owner}/{repo}/statuses/{sha} before any catch-all.
      .sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        const path = (req.url ?? '').split('?')[0]!;
        const method = (req.method ?? '').toLowerCase();
        const found = operations.find((o) => o.pattern.test(path) && o.methods[method]);
        const problems: string[] = [];
        let body: unknown;
        try {
          body = raw ? JSON.parse(raw) : undefined;
        } catch {
          problems.push('body is not JSON');
        }
        if (!found) problems.push(`${method.toUpperCase()} ${path} is no operation of the GitHub REST API`);
        if (req.headers.accept !== 'application/vnd.github+json') problems.push(`accept is ${req.headers.accept}, not application/vnd.github+json`);
        if (!/^Bearer \S+$/.test(req.headers.authorization ?? '')) problems.push('no bearer token');
        const op = found?.methods[method];
        const schema = op?.requestBody?.content?.['application/json']?.schema;
        if (schema) {
          const validate = this.ajv.compile(resolve(schema, root) as object);
          if (!validate(body)) problems.push(`${found!.template}: ${this.ajv.errorsText(validate.errors)}`);
        }
        this.requests.push({ method: method.toUpperCase(), path, operation: found?.template, headers: req.headers, body });
        this.problems.push(...problems);
        const [status, response] = Object.entries(op?.responses ?? {}).find(([code]) => code.startsWith('2')) ?? ['404', undefined];
        const example = Object.values(response?.content?.['application/json']?.examples ?? {})[0]?.value ?? {};
        res.writeHead(problems.length > 0 ? 422 : Number(status), { 'content-type': 'application/json' });
        res.end(JSON.stringify(problems.length > 0 ? { message: 'Validation Failed', errors: problems } : example));
        this.waiters = this.waiters.filter((w) => (this.requests.length >= w.count ? (w.resolve(), false) : true));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` requests in all have arrived. */
  received(count: number): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
