import { Command, InvalidArgumentError, Option } from 'commander';
import { CONTROLLER_DEFAULTS as D, type AwsSettings } from '../controller/config.js';
import type { OutputFormat } from './io.js';
import { MAX_AWS_TIMEOUT } from '../aws/timeout.js';

/** Options of every command that calls AWS: which controller, how the SDK retries. */
export type ClientCommandOptions = Pick<AwsSettings, 'controllerId' | 'retryMode' | 'maxAttempts' | 'awsTimeout'> & { output: OutputFormat };

/** Options of the commands that observe and plan: modes, prune and concurrency besides; `target` on plan, drift and apply. */
export type AwsCommandOptions = AwsSettings & { output: OutputFormat; target?: string[] };

/** The parsed options plus what only the command knows: whether the controller id was stated or left at its default. */
export function withSources<T extends object>(opts: T, cmd: Command): T & { controllerIdStated: boolean } {
  return { ...opts, controllerIdStated: cmd.getOptionValueSource('controllerId') !== 'default' };
}

/** `--target Kind/name`, repeatable. */
export const targetOption = () =>
  new Option('--target <Kind/name>', 'only this resource and what it depends on (repeatable); prune is left out').argParser(
    (value: string, previous: string[] | undefined) => [...(previous ?? []), value],
  );

export const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${value}"`);
  return n;
};

export const awsTimeoutSeconds = (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > MAX_AWS_TIMEOUT) {
    throw new InvalidArgumentError(`expected seconds from 0 to ${MAX_AWS_TIMEOUT}, got "${value}"`);
  }
  return n;
};

export const outputOption = () =>
  new Option('-o, --output <format>', 'text for people, json for scripts (one document on stdout)').choices(['text', 'json']).default('text');

/**
 * A boolean flag, also on when its variable is "true" or "1". Commander's env() would turn a boolean flag on for any
 * value, "false" included, so the variable is read here and recorded with the source "env" (a flag still wins, and
 * the environment beats a config file).
 */
export function addBooleanOption(cmd: Command, flag: string, description: string, variable: string, env: NodeJS.ProcessEnv): Command {
  const option = new Option(flag, `${description} (env: ${variable}=true)`).default(false);
  cmd.addOption(option);
  if (env[variable] !== undefined) cmd.setOptionValueWithSource(option.attributeName(), /^(true|1)$/i.test(env[variable]), 'env');
  return cmd;
}

/** `--prune`, also on when BALLAST_PRUNE is "true" or "1". */
export const addPruneOption = (cmd: Command, description: string, env: NodeJS.ProcessEnv): Command => addBooleanOption(cmd, '--prune', description, 'BALLAST_PRUNE', env);

export const awsTimeoutOption = () =>
  new Option('--aws-timeout <seconds>', 'seconds an AWS call attempt may wait for a connection and its answer; 0: for ever')
    .argParser(awsTimeoutSeconds)
    .env('BALLAST_AWS_TIMEOUT')
    .default(D.awsTimeout);

export function addClientOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--controller-id <id>', 'ownership tag value: ballast.dev/managed-by=<id>').env('BALLAST_CONTROLLER_ID').default(D.controllerId))
    .addOption(new Option('--retry-mode <mode>', 'AWS SDK retry mode (default: the SDK setting, standard)').choices(['standard', 'adaptive']).env('AWS_RETRY_MODE'))
    .addOption(new Option('--max-attempts <n>', 'AWS SDK attempts per call (default: the SDK setting, 3)').argParser(positiveInt).env('AWS_MAX_ATTEMPTS'))
    .addOption(awsTimeoutOption());
}

export function addAwsOptions(cmd: Command, env: NodeJS.ProcessEnv): Command {
  return addPruneOption(addClientOptions(cmd), 'delete owned resources that are in no manifest', env)
    .addOption(new Option('--mode <mode>', 'mode for resources without a ballast.dev/mode annotation').choices(['enforce', 'detect', 'suspend']).env('BALLAST_MODE').default(D.mode))
    .addOption(new Option('--concurrency <n>', 'concurrent AWS calls per service').argParser(positiveInt).env('BALLAST_CONCURRENCY').default(D.concurrency));
}
