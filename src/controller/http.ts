import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Controller, ReconcileSummary } from './controller.js';
import { bearerMatches } from './api-auth.js';
import type { Metrics } from './metrics.js';
import { parsePush, verifySignature } from '../source/webhook.js';
import type { DrillScheduler } from '../drill/index.js';

export interface HttpOptions {
  controller: Controller;
  metrics: Metrics;
  drills: DrillScheduler;
  /** Without a secret every webhook is refused: an unauthenticated trigger is never accepted. */
  webhookSecret?: string;
  /** Bearer token of /status and /reconcile; without it /status is open and /reconcile refused. */
  apiToken?: string;
  branch: string;
}

/** How long POST /reconcile?wait=true waits for the reconcile it asked for. */
const RECONCILE_WAIT_MS = 15 * 60_000;

/** /healthz, /readyz, /metrics, /status and the signed Git push webhook. */
export function createHttpServer(options: HttpOptions): FastifyInstance {
  const { controller, metrics } = options;
  const app = Fastify({ logger: false });
  // The signature covers the exact bytes sent, so the body must reach the handler unparsed.
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onResponse', async (req, reply) => {
    if (req.routeOptions.url === '/webhook') metrics.webhookRequests.inc({ code: String(reply.statusCode) });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const ready = controller.ready;
    return reply.code(ready ? 200 : 503).send({
      ready,
      revisionLoaded: controller.revision !== undefined,
      awsReachable: controller.awsReachable,
    });
  });

  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  // The operator API: a bearer token, compared in constant time; /healthz, /readyz and /metrics stay open.
  const guard = async (req: FastifyRequest, reply: FastifyReply) => {
    if (options.apiToken && !bearerMatches(req.headers.authorization, options.apiToken)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'missing or wrong bearer token (BALLAST_API_TOKEN)' });
    }
  };

  app.post('/reconcile', { preHandler: guard }, async (req, reply) => {
    if (!options.apiToken) return reply.code(403).send({ error: 'the controller has no BALLAST_API_TOKEN: operator requests are refused' });
    const wait = (req.query as { wait?: string }).wait === 'true';
    const done = wait ? nextRun(controller) : undefined;
    controller.trigger('operator');
    if (!done) return reply.code(202).send({ accepted: true });
    return reply.code(200).send(await done);
  });

  app.get('/status', { preHandler: guard }, async () => ({
    revision: controller.revision
      ? { sha: controller.revision.sha, message: controller.revision.message, author: controller.revision.author, loadedAt: controller.revision.loadedAt }
      : null,
    rejectedRevision: controller.badRevision ?? null,
    lastReconcile: controller.lastReconcile ?? null,
    resources: [...controller.resources.values()],
    drills: options.drills.status(),
  }));

  app.post('/webhook', async (req, reply) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '');
    const signature = req.headers['x-hub-signature-256'];
    if (!options.webhookSecret || !verifySignature(options.webhookSecret, body, typeof signature === 'string' ? signature : undefined)) {
      return reply.code(401).send({ error: 'missing or invalid X-Hub-Signature-256' });
    }
    const push = parsePush(body);
    if (!push) return reply.code(202).send({ accepted: false, reason: 'not a push event' });
    if (push.ref !== `refs/heads/${options.branch}`) return reply.code(202).send({ accepted: false, reason: `push to ${push.ref}, watching ${options.branch}` });
    controller.trigger('webhook');
    return reply.code(202).send({ accepted: true });
  });

  return app;
}

/** The summary of the first reconcile that starts from now on (one already running does not count). */
function nextRun(controller: Controller): Promise<ReconcileSummary | { error: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ error: `no reconcile finished within ${RECONCILE_WAIT_MS / 1000} s` }), RECONCILE_WAIT_MS);
    controller.once('started', () =>
      controller.once('reconciled', (summary) => {
        clearTimeout(timer);
        resolve(summary);
      }),
    );
  });
}
