import Fastify, { type FastifyInstance } from 'fastify';
import type { Controller } from './controller.js';
import type { Metrics } from './metrics.js';
import type { Logger } from 'pino';
import { isDeletion, parsePush, RecentDeliveries, verifySignature } from '../source/webhook.js';
import type { DrillScheduler } from '../drill/index.js';
import type { LeaderGate } from '../lease/index.js';

export interface HttpOptions {
  controller: Controller;
  metrics: Metrics;
  drills: DrillScheduler;
  leader: LeaderGate;
  /** Without a secret every webhook is refused: an unauthenticated trigger is never accepted. */
  webhookSecret?: string;
  branch: string;
  logger: Logger;
}

/** GitHub's largest payload. */
const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;

/** /healthz, /readyz, /metrics, /status and the signed Git push webhook. */
export function createHttpServer(options: HttpOptions): FastifyInstance {
  const { controller, metrics } = options;
  // A client that trickles its request is cut off: idle connections must not pile up.
  const app = Fastify({ logger: false, requestTimeout: 30_000, connectionTimeout: 60_000 });
  // The signature covers the exact bytes sent, so the body must reach the handler unparsed.
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
  const deliveries = new RecentDeliveries();

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
    leader: options.leader.leading,
    identity: options.leader.identity,
    holder: options.leader.holder ?? null,
    revision: controller.revision
      ? { sha: controller.revision.sha, message: controller.revision.message, author: controller.revision.author, loadedAt: controller.revision.loadedAt }
      : null,
    rejectedRevision: controller.badRevision ?? null,
    lastReconcile: controller.lastReconcile ?? null,
    resources: [...controller.resources.values()],
    drills: options.drills.status(),
  }));

  app.post('/webhook', { bodyLimit: WEBHOOK_BODY_LIMIT }, async (req, reply) => {
    const delivery = String(req.headers['x-github-delivery'] ?? '');
    const event = String(req.headers['x-github-event'] ?? '');
    // Every delivery is logged with what became of it; never its body.
    const answer = (status: number, result: string, body: object) => {
      options.logger.info({ delivery, event, result, status }, 'webhook');
      return reply.code(status).send(body);
    };
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(typeof req.body === 'string' ? req.body : '');
    const signature = req.headers['x-hub-signature-256'];
    if (!options.webhookSecret || !verifySignature(options.webhookSecret, body, typeof signature === 'string' ? signature : undefined)) {
      return answer(401, 'bad signature', { error: 'missing or invalid X-Hub-Signature-256' });
    }
    if (delivery !== '' && !deliveries.first(delivery)) return answer(202, 'duplicate delivery', { accepted: false, reason: `delivery ${delivery} already received` });
    const push = parsePush(body, String(req.headers['content-type'] ?? ''));
    if (!push) return answer(202, 'not a push', { accepted: false, reason: 'not a push event' });
    if (push.ref !== `refs/heads/${options.branch}`) return answer(202, 'other branch', { accepted: false, reason: `push to ${push.ref}, watching ${options.branch}` });
    if (isDeletion(push)) return answer(202, 'branch deleted', { accepted: false, reason: `${options.branch} was deleted: keeping the last good revision` });
    if (push.after === controller.revision?.sha) return answer(202, 'already in force', { accepted: false, reason: `${push.after} is already in force` });
    if (!options.leader.leading) return answer(202, 'standby', { accepted: false, reason: `standing by: ${options.leader.holder ?? 'no replica'} leads` });
    controller.trigger('webhook');
    return answer(202, 'triggered', { accepted: true });
  });

  return app;
}
