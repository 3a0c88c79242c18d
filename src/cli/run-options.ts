import { Command, InvalidArgumentError, Option } from 'commander';
import { CONTROLLER_DEFAULTS as D } from '../controller/config.js';

export const positiveNumber = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return n;
};

const port = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`expected a port (0 picks a free one), got "${value}"`);
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
  opt('--branch <name>', 'branch to follow', 'BALLAST_BRANCH', D.branch);
  opt('--path <dir>', 'folder of manifests inside the repository', 'BALLAST_PATH', D.path);
  opt('--workdir <dir>', 'where the local clone lives (default: a folder in the OS temp dir)', 'BALLAST_WORKDIR');
  opt('--poll-interval <seconds>', 'fetch the branch this often', 'BALLAST_POLL_INTERVAL', D.pollInterval, positiveNumber);
  opt('--drift-schedule <cron>', 'drift scans (node-cron syntax)', 'BALLAST_DRIFT_SCHEDULE', D.driftSchedule);
  opt('--port <n>', 'HTTP port for /healthz, /readyz, /metrics, /status, /webhook', 'BALLAST_PORT', D.port, port);
  opt('--host <addr>', 'HTTP listen address', 'BALLAST_HOST', D.host);
  opt('--quiet-period <seconds>', 'repeat the same drift to Slack only after this long', 'BALLAST_QUIET_PERIOD', D.quietPeriod, positiveNumber);
  opt('--ecs-timeout <seconds>', 'wait this long for an ECS rollout', 'BALLAST_ECS_TIMEOUT', undefined, positiveNumber);
  opt('--db-timeout <seconds>', 'wait this long for a DB to be available', 'BALLAST_DB_TIMEOUT', undefined, positiveNumber);
  opt('--health-poll-interval <seconds>', 'between health reads after a change', 'BALLAST_HEALTH_POLL_INTERVAL', D.healthPollInterval, positiveNumber);
  opt('--log-level <level>', 'pino log level', 'BALLAST_LOG_LEVEL', D.logLevel);
  opt('--history-table <name>', 'DynamoDB table recording every write (created when missing)', 'BALLAST_HISTORY_TABLE');
  opt('--history-retention-days <days>', 'days a history entry is kept (TTL)', 'BALLAST_HISTORY_RETENTION_DAYS', D.historyRetentionDays, positiveNumber);
  return cmd;
}
