import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { parse } from 'yaml';
import { startController, type ControllerConfig } from '../controller/run.js';
import type { Io } from './io.js';

const number = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`expected a positive number, got "${value}"`);
  return n;
};

/** Flags of `ballast run`; each also reads an environment variable, and a config file fills what neither set. */
export function addRunOptions(cmd: Command): Command {
  const opt = (flags: string, description: string, env: string, defaultValue?: unknown, parse?: (v: string) => unknown) => {
    const o = new Option(flags, description).env(env);
    if (parse) o.argParser(parse);
    if (defaultValue !== undefined) o.default(defaultValue);
    cmd.addOption(o);
  };
  opt('--config <file>', 'YAML file with any of these settings (camelCase keys); flags and environment win', 'BALLAST_CONFIG');
  opt('--repo <url>', 'Git repository to watch', 'BALLAST_REPO_URL');
  opt('--branch <name>', 'branch to follow', 'BALLAST_BRANCH', 'main');
  opt('--path <dir>', 'folder of manifests inside the repository', 'BALLAST_PATH', 'desired-state');
  opt('--workdir <dir>', 'where the local clone lives (default: a folder in the OS temp dir)', 'BALLAST_WORKDIR');
  opt('--poll-interval <seconds>', 'fetch the branch this often', 'BALLAST_POLL_INTERVAL', 60, number);
  opt('--drift-schedule <cron>', 'drift scans (node-cron syntax)', 'BALLAST_DRIFT_SCHEDULE', '* * * * *');
  opt('--port <n>', 'HTTP port for /healthz, /readyz, /metrics, /status, /webhook', 'BALLAST_PORT', 8080, number);
  opt('--host <addr>', 'HTTP listen address', 'BALLAST_HOST', '0.0.0.0');
  opt('--quiet-period <seconds>', 'repeat the same drift to Slack only after this long', 'BALLAST_QUIET_PERIOD', 3600, number);
  opt('--ecs-timeout <seconds>', 'wait this long for an ECS rollout', 'BALLAST_ECS_TIMEOUT', undefined, number);
  opt('--db-timeout <seconds>', 'wait this long for a DB to be available', 'BALLAST_DB_TIMEOUT', undefined, number);
  opt('--health-poll-interval <seconds>', 'between health reads after a change', 'BALLAST_HEALTH_POLL_INTERVAL', 5, number);
  opt('--log-level <level>', 'pino log level', 'BALLAST_LOG_LEVEL', 'info');
  return cmd;
}

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
