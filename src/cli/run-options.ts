import { Command, InvalidArgumentError, Option } from 'commander';
import { CONTROLLER_DEFAULTS as D, EVENTS_DRIFT_SCHEDULE } from '../controller/config.js';
import { addBooleanOption, positiveInt } from './settings.js';

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
export function addRunOptions(cmd: Command, env: NodeJS.ProcessEnv): Command {
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
  opt('--drift-schedule <cron>', `full drift scans, node-cron syntax (default: "${D.driftSchedule}", with --events-queue "${EVENTS_DRIFT_SCHEDULE}")`, 'BALLAST_DRIFT_SCHEDULE');
  opt('--events-queue <url>', 'SQS queue fed by the EventBridge rules of `ballast events setup`: reconcile what AWS reports changed within seconds', 'BALLAST_EVENTS_QUEUE');
  opt('--events-coalesce <seconds>', 'events less than this apart make one reconcile (at most 5 times this after the first)', 'BALLAST_EVENTS_COALESCE', D.eventsCoalesce, positiveNumber);
  opt('--port <n>', 'HTTP port for /healthz, /readyz, /metrics, /status, /webhook', 'BALLAST_PORT', D.port, port);
  opt('--host <addr>', 'HTTP listen address', 'BALLAST_HOST', D.host);
  opt('--quiet-period <seconds>', 'repeat the same drift to Slack only after this long', 'BALLAST_QUIET_PERIOD', D.quietPeriod, positiveNumber);
  opt('--report-failures-after <n>', 'tell Slack of a throttling, 5xx or network failure only once it has failed this many reconciles in a row', 'BALLAST_REPORT_FAILURES_AFTER', D.reportFailuresAfter, positiveInt);
  opt('--ecs-timeout <seconds>', 'wait this long for an ECS rollout', 'BALLAST_ECS_TIMEOUT', undefined, positiveNumber);
  opt('--db-timeout <seconds>', 'wait this long for a DB to be available', 'BALLAST_DB_TIMEOUT', undefined, positiveNumber);
  opt('--health-poll-interval <seconds>', 'between health reads after a change', 'BALLAST_HEALTH_POLL_INTERVAL', D.healthPollInterval, positiveNumber);
  opt('--allowed-signers <file>', 'apply only commits signed by an SSH key of this file (git allowedSignersFile format)', 'BALLAST_ALLOWED_SIGNERS');
  opt('--gpg-keyring <file>', 'apply only commits signed by an OpenPGP key of this keyring', 'BALLAST_GPG_KEYRING');
  opt('--prices <file>', 'price table for the cost of applied changes (default: the shipped table of the region)', 'BALLAST_PRICES');
  opt('--github-repository <owner/name>', 'repository of the commit statuses (default: from a github.com --repo)', 'BALLAST_GITHUB_REPOSITORY');
  opt('--github-api-url <url>', 'GitHub REST API root (GitHub Enterprise Server: https://HOST/api/v3)', 'BALLAST_GITHUB_API_URL', D.githubApiUrl);
  opt('--public-url <url>', 'the controller\'s address as people reach it, for the commit status link to /status', 'BALLAST_PUBLIC_URL');
  opt('--lease-table <name>', 'DynamoDB table for leader election between replicas (created when missing); off when unset', 'BALLAST_LEASE_TABLE');
  opt('--lease-duration <seconds>', 'a standby takes over a lease left unrenewed this long', 'BALLAST_LEASE_DURATION', D.leaseDuration, positiveNumber);
  opt('--lease-renew-deadline <seconds>', 'the leader stops reconciling when it could not renew for this long', 'BALLAST_LEASE_RENEW_DEADLINE', D.leaseRenewDeadline, positiveNumber);
  opt('--lease-retry-period <seconds>', 'between attempts to take or renew the lease', 'BALLAST_LEASE_RETRY_PERIOD', D.leaseRetryPeriod, positiveNumber);
  addBooleanOption(cmd, '--share-targets', 'replicas sharing the lease table split the targets, each reconciling only those it holds', 'BALLAST_SHARE_TARGETS', env);
  opt('--max-revision-bytes <n>', 'refuse a revision whose manifests are larger in all', 'BALLAST_MAX_REVISION_BYTES', D.maxRevisionBytes, positiveNumber);
  opt('--max-documents <n>', 'refuse a revision with more YAML documents', 'BALLAST_MAX_DOCUMENTS', D.maxDocuments, positiveNumber);
  opt('--max-yaml-nodes <n>', 'refuse a revision with more YAML nodes (scalars and flow collections)', 'BALLAST_MAX_YAML_NODES', D.maxYamlNodes, positiveNumber);
  opt('--load-memory <mb>', 'heap of the worker that loads and validates a revision', 'BALLAST_LOAD_MEMORY', D.loadMemory, positiveNumber);
  opt('--log-level <level>', 'pino log level', 'BALLAST_LOG_LEVEL', D.logLevel);
  opt('--history-table <name>', 'DynamoDB table recording every write (created when missing)', 'BALLAST_HISTORY_TABLE');
  opt('--history-retention-days <days>', 'days a history entry is kept (TTL)', 'BALLAST_HISTORY_RETENTION_DAYS', D.historyRetentionDays, positiveNumber);
  return cmd;
}
