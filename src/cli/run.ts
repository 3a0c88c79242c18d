import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { startController } from '../controller/run.js';
import type { ControllerConfig } from '../controller/config.js';
import type { Io } from './io.js';

/** Secrets come only from the environment or the config file, never from flags (flags show up in `ps`). */
const SECRET_ENV = { webhookSecret: 'BALLAST_WEBHOOK_SECRET', slackWebhookUrl: 'BALLAST_SLACK_WEBHOOK_URL', apiToken: 'BALLAST_API_TOKEN' } as const;

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
  merged.repoUrl = merged.repo;
  if (typeof merged.repoUrl !== 'string' || merged.repoUrl === '') throw new Error('no repository: pass --repo, set BALLAST_REPO_URL, or put repoUrl in the config file');
  return merged as unknown as ControllerConfig;
}

/** Runs until SIGTERM or SIGINT, then stops taking triggers, finishes the call in flight and exits 0. */
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
  // A rollout wait can be long: give the current call 25 s, then leave anyway (ECS stops the task at 30 s).
  const deadline = new Promise<void>((resolve) => setTimeout(resolve, 25_000).unref());
  await Promise.race([running.stop(), deadline]);
  return 0;
}
