import Fastify, { type FastifyInstance } from 'fastify';
import type { Controller } from './controller.js';
import type { Metrics } from './metrics.js';
import { parsePush, verifySignature } from '../source/webhook.js';
import type { DrillScheduler } from '../drill/index.js';

export interface HttpOptions {
  controller: Controller;
  metrics: Metrics;
  drills: DrillScheduler;
  /** Without a secret every webhook is refused: an unauthenticated trigger is never accepted. */
  webhookSecret?: string;
  branch: string;
}

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

  app.get('/status', async () => ({
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
