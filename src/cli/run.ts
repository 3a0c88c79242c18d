import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { startController } from '../controller/run.js';
import type { ControllerConfig } from '../controller/config.js';
import type { Io } from './io.js';

/** Secrets come only from the environment or the config file, never from flags (flags show up in `ps`). */
const SECRET_ENV = { webhookSecret: 'BALLAST_WEBHOOK_SECRET', slackWebhookUrl: 'BALLAST_SLACK_WEBHOOK_URL' } as const;

export async function resolveRunConfig(cmd: Command, env: NodeJS.ProcessEnv): Promise<ControllerConfig> {
  const values = cmd.opts<Record<string, unknown>>();
  const file = typeof values.config === 'string' ? ((parse(await readFile(values.config, 'utf8')) ?? {}) as Record<string, unknown>) : {};
  const merged: Record<string, unknown> = { ...values };
  for (const [key, value] of Object.entries(file)) {
    const source = cmd.getOptionValueSource(key);
    if (source === undefined || source === 'default') merged[key] = value;
  }
  for (const [key, name] of Object.entries(SECRET_ENV)) merged[key] = env[name] ?? file[key];
  if (typeof merged.repoUrl !== 'string' && typeof merged.repo === 'string') merged.repoUrl = merged.repo;
  if (typeof merged.repoUrl !== 'string' || merged.repoUrl === '') throw new Error('no repository: pass --repo, set BALLAST_REPO_URL, or put repoUrl in the config file');
  return merged as unknown as ControllerConfig;
}

/** Runs until SIGTERM or SIGINT, then stops taking triggers, finishes the call in flight and exits 0. */
export async function runCommand(cmd: Command, io: Io): Promise<number> {
  let config: ControllerConfig;
  try {
    config = await resolveRunConfig(cmd, io.env);
  } catch (err) {
    io.stderr(`${(err as Error).message}\n`);
    return 1;
  }
  const running = await startController(config);
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      running.logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  });
  // A rollout wait can be long: give the current call 25 s, then leave anyway (ECS stops the task at 30 s).
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, 25_000).unref());
  await Promise.race([running.stop(), deadline]);
  return 0;
}
