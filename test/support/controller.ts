import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { startController, type RunningController } from '../../src/controller/run.js';
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

/** Starts `ballast run` on a loopback port against a test repository, resolving after its first reconcile. */
export async function startTestController(overrides: Partial<ControllerConfig> & { repoUrl: string }): Promise<{ running: RunningController; first: ReconcileSummary }> {
  const config: ControllerConfig = {
    ...CONTROLLER_DEFAULTS,
    workdir: await mkdtemp(path.join(tmpdir(), 'ballast-clone-')),
    pollInterval: 3600,
    driftSchedule: '0 0 1 1 *',
    port: 0,
    host: '127.0.0.1',
    healthPollInterval: 0.05,
    ...overrides,
  };
  let running: RunningController | undefined;
  const first = await new Promise<ReconcileSummary>((resolve, reject) => {
    // The listener must exist before the first reconcile can finish.
    startController(config, pino({ level: 'silent' })).then((r) => {
      running = r;
      r.controller.once('reconciled', resolve);
    }, reject);
  });
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
