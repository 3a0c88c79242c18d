import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import cron from 'node-cron';
import { openSession } from '../observe/context.js';
import { RECONCILERS } from '../reconcilers/index.js';
import { timeoutsFrom } from '../apply/index.js';
import { GitSource, redactUrl } from '../source/git.js';
import { NotificationPolicy } from '../report/notify.js';
import { SlackNotifier } from '../report/slack.js';
import { Controller } from './controller.js';
import type { ControllerConfig } from './config.js';
import { Metrics } from './metrics.js';
import { HistoryStore } from '../history/store.js';
import { createHttpServer } from './http.js';
import { cleanupLeftovers, drillNotification, DrillScheduler, executeDrill } from '../drill/index.js';
import type { DbInstance } from '../schema/index.js';
import { DRILL_POLL_SECONDS } from './config.js';

export interface RunningController {
  controller: Controller;
  metrics: Metrics;
  drills: DrillScheduler;
  /** http://host:port the server listens on. */
  url: string;
  logger: Logger;
  stop(): Promise<void>;
}

/** Starts the loop, the poll timer, the drift-scan schedule and the HTTP server; the first reconcile starts at once. */
export async function startController(config: ControllerConfig, logger: Logger = pino({ level: config.logLevel, redact: ['webhookSecret', 'slackWebhookUrl', 'apiToken', '*.webhookSecret', '*.slackWebhookUrl', '*.apiToken'] })): Promise<RunningController> {
  if (!cron.validate(config.driftSchedule)) throw new Error(`drift schedule "${config.driftSchedule}" is not a valid cron expression`);
  const session = openSession(config);
  const aws = session.aws;
  const metrics = new Metrics(aws.counter);
  const workdir = config.workdir ?? path.join(tmpdir(), `ballast-${config.controllerId}`);
  const notifier = new SlackNotifier(config.slackWebhookUrl, logger, (outcome) => metrics.slackMessages.inc({ outcome }));
  const controller = new Controller(
    {
      defaultMode: config.mode,
      prune: config.prune,
      timeouts: timeoutsFrom(config),
      healthPollMs: config.healthPollInterval * 1000,
      backoffBaseMs: 5_000,
      backoffMaxMs: 5 * 60_000,
    },
    {
      source: new GitSource({ url: config.repoUrl, branch: config.branch, path: config.path, workdir }),
      session,
      registry: RECONCILERS,
      logger,
      metrics,
      policy: new NotificationPolicy({ quietPeriodMs: config.quietPeriod * 1000 }),
      notifier,
      ...(config.historyTable
        ? { history: new HistoryStore({ table: config.historyTable, controllerId: config.controllerId, retentionDays: config.historyRetentionDays }) }
        : {}),
    },
  );
  const drillsAbort = new AbortController();
  const drills = new DrillScheduler(async (drill) => {
    const source = controller.revision?.manifests.find((m): m is DbInstance => m.kind === 'DbInstance' && m.metadata.name === drill.spec.dbInstance);
    // Validation guarantees a drill's DbInstance is in the same revision.
    const result = await executeDrill(drill, source!, {
      aws,
      controllerId: config.controllerId,
      pollIntervalMs: DRILL_POLL_SECONDS * 1000,
      signal: drillsAbort.signal,
      log: (message) => logger.info({ drill: drill.metadata.name }, message),
    });
    metrics.recordDrill(result);
    logger.info({ drill: result.drill, db: result.db, outcome: result.outcome, rtoSeconds: result.rtoSeconds, rpoSeconds: result.rpoSeconds }, 'restore drill finished');
    await notifier.send(drillNotification(result));
    return result;
  });
  controller.on('revision', (manifests) => drills.update(manifests));
  // A drill copy left by a crash costs money until someone deletes it.
  await cleanupLeftovers(aws, config.controllerId, { all: true })
    .then((leftovers) => leftovers.deleted.length > 0 && logger.info({ deleted: leftovers.deleted }, 'deleted drill instances left by a crash'))
    .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'could not look for drill leftovers; the next drill tries again'));
  const server = createHttpServer({ controller, metrics, drills, webhookSecret: config.webhookSecret, apiToken: config.apiToken, branch: config.branch });
  const url = await server.listen({ port: config.port, host: config.host });
  const poll = setInterval(() => controller.trigger('poll'), config.pollInterval * 1000);
  const scan = cron.schedule(config.driftSchedule, () => controller.trigger('drift-scan'));
  logger.info({ url, repo: redactUrl(config.repoUrl), branch: config.branch, path: config.path, controllerId: config.controllerId }, 'controller started');
  drills.start();
  controller.trigger('startup');
  return {
    controller,
    metrics,
    drills,
    url,
    logger,
    async stop() {
      clearInterval(poll);
      await scan.stop();
      drillsAbort.abort();
      await Promise.all([controller.stop(), drills.stop()]);
      await server.close();
      logger.info('controller stopped');
    },
  };
}
