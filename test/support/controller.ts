import { once } from 'node:events';
import { Writable } from 'node:stream';
import { afterEach, beforeEach } from 'vitest';
import { pino } from 'pino';
import { controllerLogger, startController, type RunningController } from '../../src/controller/run.js';
import { tempDir } from './temp.js';
import { CONTROLLER_DEFAULTS, type ControllerConfig } from '../../src/controller/config.js';
import type { Controller, ReconcileSummary } from '../../src/controller/controller.js';
import { EVENT_TIMEOUT_MS, within } from './wait.js';
import type { Aws } from '../../src/aws/clients.js';
import { createNetwork } from '../../src/demo/network.js';
import { createRepo, removeRepo, type TestRepo } from './git.js';
import { SlackReceiver } from './slack.js';

/** The next reconcile that finishes (optionally: the next one matching); after `ms`, a failure naming those seen. */
export function nextReconcile(controller: Controller, match: (s: ReconcileSummary) => boolean = () => true, ms = EVENT_TIMEOUT_MS): Promise<ReconcileSummary> {
  const seen: ReconcileSummary[] = [];
  let listener!: (s: ReconcileSummary) => void;
  const next = new Promise<ReconcileSummary>((resolve) => {
    listener = (s) => {
      seen.push(s);
      if (match(s)) resolve(s);
    };
    controller.on('reconciled', listener);
  });
  return within(next, () => `a matching reconcile; saw ${JSON.stringify(seen)}`, ms).finally(() => controller.off('reconciled', listener));
}

/**
 * Starts `ballast run` on a loopback port against a test repository, resolving after its first reconcile. With
 * `logs`, the production logger (its redaction included) writes every line there; without, it is silent.
 */
export async function startTestController(
  overrides: Partial<ControllerConfig> & { repoUrl: string },
  logs?: string[],
): Promise<{ running: RunningController; first: ReconcileSummary }> {
  const config: ControllerConfig = {
    ...CONTROLLER_DEFAULTS,
    workdir: await tempDir('clone'),
    pollInterval: 3600,
    driftSchedule: '0 0 1 1 *',
    port: 0,
    host: '127.0.0.1',
    healthPollInterval: 0.05,
    ...overrides,
  };
  const logger = logs ? controllerLogger(config, new Writable({ write: (chunk: Buffer, _e, done) => (logs.push(chunk.toString()), done()) })) : pino({ level: 'silent' });
  let running: RunningController | undefined;
  const first = await within(
    new Promise<ReconcileSummary>((resolve, reject) => {
      // The listener must exist before the first reconcile can finish.
      startController(config, logger).then((r) => {
        running = r;
        r.controller.once('reconciled', resolve);
      }, reject);
    }),
    'the first reconcile',
  );
  return { running: running!, first };
}

/**
 * Starts `ballast run` on the estate's repository with a webhook secret and the estate's Slack receiver, the production
 * logger writing to `logs` (emptied first); the controller is kept on the estate (stopped after the test).
 */
export async function startOnEstate(estate: ControllerEstate, logs: string[], overrides: Partial<ControllerConfig> = {}, webhookSecret?: string): Promise<ReconcileSummary> {
  logs.length = 0;
  const started = await startTestController({ repoUrl: estate.repo.url, webhookSecret, slackWebhookUrl: await estate.slack.start(), ...overrides }, logs);
  estate.running = started.running;
  return started.first;
}

/**
 * Resolves once no reconcile runs and nothing is progressing. The services a first run creates roll out, and the
 * health reads that follow them plan the estate again: a test that counts runs or corrections starts after that.
 */
export function settled(controller: Controller, ms = 60_000): Promise<void> {
  const busy = () => controller.busy || controller.progressing;
  return within(
    (async () => {
      // A status changes only in a reconcile: a run going ends in one, and a settled rollout starts one.
      while (busy()) await once(controller, 'reconciled');
    })(),
    'the rollouts of the first reconcile to settle',
    ms,
  );
}

/** What a controller test works on: fresh for each test, its controller (if one was started) stopped after it. */
export interface ControllerEstate {
  aws: Aws;
  repo: TestRepo;
  slack: SlackReceiver;
  running?: RunningController;
}

/**
 * Before each test: the emulator's network pieces, a repository of desired-state/ and a Slack receiver, with the
 * SDK pointed at the emulator (AWS_ENDPOINT_URL, as a controller in a task reads it); after it, all of them undone.
 */
export function useControllerEstate(moto: { endpoint: string; aws(): Aws }): ControllerEstate {
  const estate = {} as ControllerEstate;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    estate.aws = moto.aws();
    await createNetwork(estate.aws);
    estate.repo = await createRepo();
    estate.slack = new SlackReceiver();
  });
  afterEach(async () => {
    await estate.running?.stop();
    estate.running = undefined;
    await estate.slack.stop();
    await removeRepo(estate.repo);
  });
  return estate;
}
