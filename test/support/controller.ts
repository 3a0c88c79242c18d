import { Writable } from 'node:stream';
import { pino } from 'pino';
import { controllerLogger, startController, type RunningController } from '../../src/controller/run.js';
import { tempDir } from './temp.js';
import { CONTROLLER_DEFAULTS, type ControllerConfig } from '../../src/controller/config.js';
import type { Controller, ReconcileSummary } from '../../src/controller/controller.js';
import { within } from './wait.js';

/** The next reconcile that finishes (optionally: the next one matching), failing after `ms`. */
export function nextReconcile(controller: Controller, match: (s: ReconcileSummary) => boolean = () => true, ms = 60_000): Promise<ReconcileSummary> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (controller.off('reconciled', listener), reject(new Error(`no reconcile within ${ms} ms`))), ms);
    const listener = (s: ReconcileSummary) => {
      if (!match(s)) return;
      clearTimeout(timer);
      controller.off('reconciled', listener);
      resolve(s);
    };
    controller.on('reconciled', listener);
  });
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
 * Resolves once no reconcile runs and nothing is progressing. The services a first run creates roll out, and the
 * health reads that follow them plan the estate again: a test that counts runs or corrections starts after that.
 */
export function settled(controller: Controller, ms = 60_000): Promise<void> {
  const busy = () => controller.busy || [...controller.resources.values()].some((r) => r.status === 'progressing');
  return within(
    (async () => {
      while (busy()) await new Promise((r) => setTimeout(r, 50));
    })(),
    'the rollouts of the first reconcile to settle',
    ms,
  );
}
