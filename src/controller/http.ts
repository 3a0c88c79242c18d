import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Controller, ReconcileSummary } from './controller.js';
import { bearerMatches } from './api-auth.js';
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
  /** Bearer token of /status and /reconcile; without it /status is open and /reconcile refused. */
  apiToken?: string;
  branch: string;
  logger: Logger;
}

/** GitHub's largest payload. */
const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;
/** How long POST /reconcile?wait=true waits for the reconcile it asked for. */
const RECONCILE_WAIT_MS = 15 * 60_000;

/** /healthz, /readyz, /metrics, /status and the signed Git push webhook. */
export function createHttpServer(options: HttpOptions): FastifyInstance {
  const { controller, metrics } = options;
  // A client that trickles its request is cut off: idle connections must not pile up.
  const app = Fastify({ logger: false, requestTimeout: 30_000, connectionTimeout: 60_000 });
  // The signature covers the exact bytes sent, so the body must reach the handler unparsed.
  app.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT }, (_req, body, done) => done(null, body));
  const deliveries = new RecentDeliveries();

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
    if (!options.leader.leading) return reply.code(409).send({ error: `standing by: ${options.leader.holder ?? 'no replica'} leads; ask the leader` });
    const wait = (req.query as { wait?: string }).wait === 'true';
    const done = wait ? nextRun(controller) : undefined;
    controller.trigger('operator');
    if (!done) return reply.code(202).send({ accepted: true });
    return reply.code(200).send(await done);
  });

  app.get('/status', { preHandler: guard }, async () => ({
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
