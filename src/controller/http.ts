import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Controller, ReconcileSummary } from './controller.js';
import { bearerMatches } from './api-auth.js';
import type { Metrics } from './metrics.js';
import type { Logger } from 'pino';
import { isDeletion, parsePush, RecentDeliveries, verifySignature } from '../source/webhook.js';
import type { DrillScheduler } from '../drill/index.js';
import type { LeaderGate } from '../lease/index.js';
import type { TargetHolding } from '../sharing/index.js';
import { keyProblem, MAX_REASON, type Suspensions } from '../suspend/index.js';

export interface HttpOptions {
  controller: Controller;
  metrics: Metrics;
  drills: DrillScheduler;
  leader: LeaderGate;
  /** With --share-targets: every target of the revision, whether this replica holds it and who does. */
  targets?: { status(): TargetHolding[] };
  suspensions: Suspensions;
  /** Without a secret every webhook is refused: an unauthenticated trigger is never accepted. */
  webhookSecret?: string;
  /** Bearer token of /status, /reconcile, /suspend and /resume; without it /status is open and the others refused. */
  apiToken?: string;
  branch: string;
  logger: Logger;
}

/** GitHub's largest payload. */
const WEBHOOK_BODY_LIMIT = 25 * 1024 * 1024;
/** A suspend or resume request is a key, a duration and a short reason. */
const OPERATOR_BODY_LIMIT = 4096;
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

  // What changes the controller's behaviour needs a token, and only the leader can act on it.
  const act = async (req: FastifyRequest, reply: FastifyReply) => {
    const refused = await guard(req, reply);
    if (refused) return refused;
    if (!options.apiToken) return reply.code(403).send({ error: 'the controller has no BALLAST_API_TOKEN: operator requests are refused' });
    if (!options.leader.elected) return reply.code(409).send({ error: `standing by: ${options.leader.holder ?? 'no replica'} leads; ask the leader` });
  };

  app.post('/reconcile', { preHandler: act }, async (req, reply) => {
    const wait = (req.query as { wait?: string }).wait === 'true';
    const done = wait ? nextRun(controller) : undefined;
    controller.trigger('operator');
    if (!done) return reply.code(202).send({ accepted: true });
    return reply.code(200).send(await done);
  });

  app.post('/suspend', { preHandler: act, bodyLimit: OPERATOR_BODY_LIMIT }, async (req, reply) => {
    const request = suspendRequest(req.body);
    if (typeof request === 'string') return reply.code(400).send({ error: request });
    const unknown = unknownResource(controller, request.key);
    if (unknown) return reply.code(404).send({ error: unknown });
    const { key, forSeconds, reason } = request;
    try {
      const suspension = await options.suspensions.suspend(key, { ...(forSeconds !== undefined ? { forMs: forSeconds * 1000 } : {}), reason });
      options.logger.info({ resource: key, until: suspension.until, reason }, 'suspended by an operator');
      controller.trigger('operator');
      return reply.code(200).send({ suspended: suspension });
    } catch (err) {
      return reply.code(503).send({ error: `could not keep the suspension: ${(err as Error).message}` });
    }
  });

  app.post('/resume', { preHandler: act, bodyLimit: OPERATOR_BODY_LIMIT }, async (req, reply) => {
    const request = suspendRequest(req.body);
    if (typeof request === 'string') return reply.code(400).send({ error: request });
    try {
      if (!(await options.suspensions.resume(request.key))) return reply.code(404).send({ error: `${request.key} is not suspended` });
    } catch (err) {
      return reply.code(503).send({ error: `could not lift the suspension: ${(err as Error).message}` });
    }
    options.logger.info({ resource: request.key }, 'resumed by an operator');
    controller.trigger('operator');
    return reply.code(200).send({ resumed: request.key });
  });

  app.get('/status', { preHandler: guard }, async () => ({
    suspensions: (await options.suspensions.current()).suspended,
    leader: options.leader.elected,
    identity: options.leader.identity,
    holder: options.leader.holder ?? null,
    ...(options.targets ? { targets: options.targets.status() } : {}),
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
    if (!options.leader.elected) return answer(202, 'standby', { accepted: false, reason: `standing by: ${options.leader.holder ?? 'no replica'} leads` });
    controller.trigger('webhook');
    return answer(202, 'triggered', { accepted: true });
  });

  return app;
}

interface SuspendRequest {
  key: string;
  forSeconds?: number;
  reason?: string;
}

/** The JSON body of /suspend and /resume (the parser hands bodies over unparsed), or what is wrong with it. */
function suspendRequest(body: unknown): SuspendRequest | string {
  let value: Partial<Record<keyof SuspendRequest, unknown>>;
  try {
    value = JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : '') as typeof value;
  } catch {
    return 'expected a JSON body {"key": "Kind/name", "forSeconds"?: number, "reason"?: text}';
  }
  if (typeof value !== 'object' || value === null || typeof value.key !== 'string') return 'expected "key": "Kind/name"';
  const problem = keyProblem(value.key);
  if (problem) return problem;
  const { forSeconds, reason } = value;
  if (forSeconds !== undefined && (typeof forSeconds !== 'number' || !Number.isFinite(forSeconds) || forSeconds <= 0)) return '"forSeconds" must be a positive number';
  if (reason !== undefined && (typeof reason !== 'string' || reason.length > MAX_REASON)) return `"reason" must be text of at most ${MAX_REASON} characters`;
  // A terminal shows the reason in `ballast status`: no control characters (escape sequences) get that far.
  if (typeof reason === 'string' && /\p{Cc}/u.test(reason)) return '"reason" must not contain control characters';
  return { key: value.key, ...(forSeconds !== undefined ? { forSeconds } : {}), ...(reason ? { reason } : {}) };
}

/** A key the revision in force does not name is most likely a typo: suspending it would silently do nothing. */
function unknownResource(controller: Controller, key: string): string | undefined {
  const manifests = controller.revision?.manifests;
  if (!manifests || manifests.some((m) => `${m.kind}/${m.metadata.name}` === key)) return undefined;
  return `${key} is in no manifest of revision ${controller.revision!.sha.slice(0, 7)}`;
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
