import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import cron from 'node-cron';
import { createAws } from '../aws/clients.js';
import { createSession } from '../observe/context.js';
import { RECONCILERS } from '../reconcilers/index.js';
import { DEFAULT_TIMEOUTS } from '../apply/index.js';
import type { Mode } from '../schema/index.js';
import { GitSource } from '../source/git.js';
import { NotificationPolicy } from '../report/notify.js';
import { SlackNotifier } from '../report/slack.js';
import { Controller } from './controller.js';
import { Metrics } from './metrics.js';
import { createHttpServer } from './http.js';

/** Everything `ballast run` can be told (flags, environment or config file; see the README table). */
export interface ControllerConfig {
  repoUrl: string;
  branch: string;
  path: string;
  workdir?: string;
  pollInterval: number;
  driftSchedule: string;
  webhookSecret?: string;
  slackWebhookUrl?: string;
  port: number;
  host: string;
  controllerId: string;
  mode: Mode;
  prune: boolean;
  retryMode?: 'standard' | 'adaptive';
  maxAttempts?: number;
  concurrency: number;
  quietPeriod: number;
  ecsTimeout?: number;
  dbTimeout?: number;
  healthPollInterval: number;
  logLevel: string;
}

export interface RunningController {
  controller: Controller;
  metrics: Metrics;
  /** http://host:port the server listens on. */
  url: string;
  logger: Logger;
  stop(): Promise<void>;
}

/** Starts the loop, the poll timer, the drift-scan schedule and the HTTP server; the first reconcile starts at once. */
export async function startController(config: ControllerConfig, logger: Logger = pino({ level: config.logLevel, redact: ['webhookSecret', 'slackWebhookUrl', '*.webhookSecret', '*.slackWebhookUrl'] })): Promise<RunningController> {
  if (!cron.validate(config.driftSchedule)) throw new Error(`drift schedule "${config.driftSchedule}" is not a valid cron expression`);
  const aws = createAws({ retryMode: config.retryMode, maxAttempts: config.maxAttempts });
  const session = createSession(aws, { controllerId: config.controllerId, concurrency: config.concurrency });
  const metrics = new Metrics(aws.counter);
  const workdir = config.workdir ?? path.join(tmpdir(), `ballast-${config.controllerId}`);
  const controller = new Controller(
    {
      defaultMode: config.mode,
      prune: config.prune,
      timeouts: {
        ...DEFAULT_TIMEOUTS,
        ...(config.ecsTimeout ? { EcsService: config.ecsTimeout * 1000 } : {}),
        ...(config.dbTimeout ? { DbInstance: config.dbTimeout * 1000 } : {}),
      },
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
      notifier: new SlackNotifier(config.slackWebhookUrl, logger),
    },
  );
  const server = createHttpServer({ controller, metrics, webhookSecret: config.webhookSecret, branch: config.branch });
  const url = await server.listen({ port: config.port, host: config.host });
  const poll = setInterval(() => controller.trigger('poll'), config.pollInterval * 1000);
  const scan = cron.schedule(config.driftSchedule, () => controller.trigger('drift-scan'));
  logger.info({ url, repo: config.repoUrl.replace(/\/\/[^@/]*@/, '//'), branch: config.branch, path: config.path, controllerId: config.controllerId }, 'controller started');
  controller.trigger('startup');
  return {
    controller,
    metrics,
    url,
    logger,
    async stop() {
      clearInterval(poll);
      await scan.stop();
      await controller.stop();
      await server.close();
      logger.info('controller stopped');
    },
  };
}
