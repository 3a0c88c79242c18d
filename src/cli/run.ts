import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { startController } from '../controller/run.js';
import { CONTROLLER_DEFAULTS, EVENTS_DRIFT_SCHEDULE, type ControllerConfig } from '../controller/config.js';
import type { Io } from './io.js';

/** Secrets come only from the environment or the config file, never from flags (flags show up in `ps`). */
const SECRET_ENV = {
  webhookSecret: 'BALLAST_WEBHOOK_SECRET',
  slackWebhookUrl: 'BALLAST_SLACK_WEBHOOK_URL',
  githubToken: 'BALLAST_GITHUB_TOKEN',
  apiToken: 'BALLAST_API_TOKEN',
  gitToken: 'BALLAST_GIT_TOKEN',
} as const;

/**
 * Flags beat the environment, which beats the config file, which beats the defaults. File values go through the
 * same checks as flags; an unknown key in the file is an error rather than a silently ignored typo.
 */
export async function resolveRunConfig(cmd: Command, env: NodeJS.ProcessEnv): Promise<ControllerConfig> {
  const values = cmd.opts<Record<string, unknown>>();
  const file = typeof values.config === 'string' ? ((parse(await readFile(values.config, 'utf8')) ?? {}) as Record<string, unknown>) : {};
  const merged: Record<string, unknown> = { ...values };
  for (const [name, value] of Object.entries(file)) {
    if (name in SECRET_ENV) continue;
    // The flag is --repo; the file and the code call it repoUrl.
    const key = name === 'repoUrl' ? 'repo' : name;
    const option = cmd.options.find((o) => o.attributeName() === key && key !== 'config');
    if (!option) throw new Error(`${String(values.config)}: unknown setting "${name}"`);
    const source = cmd.getOptionValueSource(key);
    if (source !== undefined && source !== 'default') continue;
    try {
      merged[key] = option.parseArg ? option.parseArg(String(value), undefined) : value;
    } catch (err) {
      throw new Error(`${String(values.config)}: ${name}: ${(err as Error).message}`);
    }
  }
  for (const [key, name] of Object.entries(SECRET_ENV)) merged[key] = env[name] ?? file[key];
  merged.controllerIdStated = cmd.getOptionValueSource('controllerId') !== 'default' || 'controllerId' in file;
  merged.repoUrl = merged.repo;
  merged.driftSchedule ??= merged.eventsQueue ? EVENTS_DRIFT_SCHEDULE : CONTROLLER_DEFAULTS.driftSchedule;
  if (typeof merged.repoUrl !== 'string' || merged.repoUrl === '') throw new Error('no repository: pass --repo, set BALLAST_REPO_URL, or put repoUrl in the config file');
  return merged as unknown as ControllerConfig;
}

/** ECS sends SIGKILL 30 s after SIGTERM; a replacement task should not wait that long for the lease either. */
const SHUTDOWN_BUDGET_MS = 10_000;

/**
 * Runs until SIGTERM or SIGINT, then stops taking triggers and gives what is in flight 10 s. The process then
 * exits 0 even if something still runs (a rollout wait, a hung Git fetch, an open HTTP connection), after logging
 * what it abandoned.
 */
export async function runCommand(cmd: Command, io: Pick<Io, 'env'>): Promise<number> {
  // A bad setting throws: main() reports it as `error: …` with exit 1, like any other command error.
  const running = await startController(await resolveRunConfig(cmd, io.env));
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      running.logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), SHUTDOWN_BUDGET_MS).unref());
  const abandoned = running.inFlight();
  if ((await Promise.race([running.stop(), deadline])) === 'late') {
    running.logger.warn({ abandoned: [...abandoned, ...running.inFlight()].filter((v, i, all) => all.indexOf(v) === i) }, 'shutdown: leaving what did not finish in time');
    process.exit(0);
  }
  if (abandoned.length > 0) running.logger.info({ finished: abandoned }, 'shutdown: what was in flight finished');
  return 0;
}
