import { Writable } from 'node:stream';
import { afterEach, beforeEach } from 'vitest';
import type { Aws } from '../../src/aws/clients.js';
import { controllerLogger, startController, type RunningController } from '../../src/controller/run.js';
import { CONTROLLER_DEFAULTS, type ControllerConfig } from '../../src/controller/config.js';
import type { Controller, ReconcileSummary } from '../../src/controller/controller.js';
import { signBody } from '../../src/source/webhook.js';
import { createNetwork } from '../../src/demo/network.js';
import type { useMoto } from './moto.js';
import { createRepo, removeRepo, type TestRepo } from './git.js';
import { SlackReceiver } from './slack.js';
import { within } from './wait.js';
import { tempDir } from './temp.js';

export const WEBHOOK_SECRET = 'webhook-secret-for-tests';

/** The next reconcile that finishes (optionally: the next one matching), failing the test if none comes in time. */
export function reconciled(controller: Controller, match: (s: ReconcileSummary) => boolean = () => true): Promise<ReconcileSummary> {
  const seen: ReconcileSummary[] = [];
  const next = new Promise<ReconcileSummary>((resolve) => {
    const listener = (s: ReconcileSummary) => {
      seen.push(s);
      if (!match(s)) return;
      controller.off('reconciled', listener);
      resolve(s);
    };
    controller.on('reconciled', listener);
  });
  return within(next, () => `a matching reconcile; saw ${JSON.stringify(seen)}`);
}

/** GitHub's push event body for a branch. */
export function push(branch = 'main') {
  return Buffer.from(JSON.stringify({ ref: `refs/heads/${branch}`, after: 'f'.repeat(40), repository: { full_name: 'shop/estate' } }));
}

export async function webhook(url: string, body: Buffer, signature?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': 'push' };
  if (signature) headers['x-hub-signature-256'] = signature;
  return fetch(`${url}/webhook`, { method: 'POST', headers, body: body.toString() });
}

/** A push webhook signed with the controller's secret. */
export const signedPush = (url: string) => webhook(url, push(), signBody(WEBHOOK_SECRET, push()));

/**
 * `ballast run` in-process for each test, on the emulator's network, a fresh Git remote and a Slack receiver: `start()`
 * runs it with the production logger (its redaction included) writing to `logs`, and resolves with its first
 * reconcile; `scan()` starts a drift scan as the schedule would, so no test waits on the clock.
 */
export function useController(moto: ReturnType<typeof useMoto>) {
  let repo: TestRepo | undefined;
  let slack: SlackReceiver | undefined;
  let running: RunningController | undefined;
  let aws: Aws | undefined;
  const made = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not there yet`);
    return value;
  };
  const h = {
    get repo(): TestRepo {
      return made(repo, 'the Git remote');
    },
    get slack(): SlackReceiver {
      return made(slack, 'the Slack receiver');
    },
    get running(): RunningController {
      return made(running, 'the controller');
    },
    get aws(): Aws {
      return made(aws, 'the AWS clients');
    },
    /** What the controller logged, one JSON line an entry. */
    logs: [] as string[],

    async start(overrides: Partial<ControllerConfig> = {}): Promise<ReconcileSummary> {
      const config: ControllerConfig = {
        ...CONTROLLER_DEFAULTS,
        repoUrl: h.repo.url,
        workdir: await tempDir('clone'),
        pollInterval: 3600,
        driftSchedule: '0 0 1 1 *',
        webhookSecret: WEBHOOK_SECRET,
        slackWebhookUrl: await h.slack.start(),
        port: 0,
        host: '127.0.0.1',
        healthPollInterval: 0.05,
        ...overrides,
      };
      h.logs = [];
      const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (h.logs.push(chunk.toString()), done()) });
      const first = new Promise<ReconcileSummary>((resolve) => {
        // The listener must exist before the first reconcile can finish.
        void startController(config, controllerLogger(config, sink)).then((r) => {
          running = r;
          r.controller.once('reconciled', resolve);
        });
      });
      return within(first, 'the first reconcile');
    },

    scan(): Promise<ReconcileSummary> {
      const done = reconciled(h.running.controller, (s) => s.triggers.includes('drift-scan'));
      h.running.controller.trigger('drift-scan');
      return done;
    },
  };

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    aws = moto.aws();
    await createNetwork(aws);
    repo = await createRepo();
    slack = new SlackReceiver();
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await slack?.stop();
    if (repo) await removeRepo(repo);
  });

  return h;
}
