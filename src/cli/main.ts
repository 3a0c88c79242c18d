import { Argument, Command, CommanderError, Option } from 'commander';
import { processIo, writeJson, type Io, type OutputFormat } from './io.js';
import { addAwsOptions, addClientOptions, awsTimeoutOption, addPruneOption, outputOption, targetOption, withSources, type AwsCommandOptions } from './settings.js';
import { addRunOptions, positiveNumber } from './run-options.js';
import type { ApplyCommandOptions } from './apply.js';
import type { DrillCommandOptions } from './drill.js';
import type { IamPolicyCommandOptions } from './iam-policy.js';
import type { CostCommandOptions, PricesUpdateOptions } from './cost.js';
import type { PlanCommandOptions } from './plan.js';
import type { EventsSetupCommandOptions } from './events.js';
import { EVENTS_SETUP_DEFAULTS as E } from '../events/defaults.js';
import { SHIPPED_PRICES } from '../cost/table.js';
import type { ImportCommandOptions } from './import.js';
import { addOperatorCommands } from './operator-commands.js';
import type { EmulatorCommandOptions } from './emulator.js';
import { BALLAST_VERSION } from '../version.js';
import { CONTROLLER_DEFAULTS as D, DRILL_POLL_SECONDS } from '../controller/config.js';

// Commands load their modules when they run: `validate` should not pay for the AWS SDK and the controller.

function jsonRequested(argv: string[]): boolean {
  return argv.some((a, i) => a === '--output=json' || ((a === '--output' || a === '-o') && argv[i + 1] === 'json'));
}

/** Runs the CLI with argv (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = new Command('ballast')
    .description('GitOps controller for an AWS ECS Fargate + RDS estate')
    .version(BALLAST_VERSION)
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('validate')
    .description('load and check manifests (schema and cross-references); no AWS calls')
    .argument('[path]', 'manifest folder or file', 'desired-state')
    .addOption(outputOption())
    .action(async (path: string, opts: { output: OutputFormat }) => {
      const { validateCommand } = await import('./validate.js');
      code = await validateCommand(path, opts.output, io);
    });

  program
    .command('schema')
    .description('write one JSON Schema per kind, for editors (yaml-language-server)')
    .option('--out <dir>', 'folder to write into', 'schemas')
    .addOption(outputOption())
    .action(async (opts: { out: string; output: OutputFormat }) => {
      const { schemaCommand } = await import('./schema.js');
      code = await schemaCommand(opts.out, opts.output, io);
    });

  addAwsOptions(
    program
      .command('plan')
      .description('observe live AWS, diff and show the ordered actions; no writes')
      .argument('[path]', 'manifest folder or file', 'desired-state')
      .option('--detailed-exitcode', 'exit 2 when there are changes', false)
      .addOption(new Option('--prices <file>', 'price table for the cost deltas (default: the shipped table of the region)').env('BALLAST_PRICES'))
      .addOption(targetOption())
      .addOption(
        new Option('-o, --output <format>', 'text for people, json for scripts, markdown for a pull-request comment').choices(['text', 'json', 'markdown']).default('text'),
      ),
    io.env,
  ).action(async (path: string, opts: PlanCommandOptions, cmd: Command) => {
    const { planCommand } = await import('./plan.js');
    code = await planCommand(path, withSources(opts, cmd), io);
  });

  addAwsOptions(
    program
      .command('drift')
      .description('report what changed outside Git: fields changed, resources missing, ownership lost; no writes')
      .argument('[path]', 'manifest folder or file', 'desired-state')
      .addOption(targetOption())
      .addOption(outputOption()),
    io.env,
  ).action(async (path: string, opts: AwsCommandOptions, cmd: Command) => {
    const { driftCommand } = await import('./plan.js');
    code = await driftCommand(path, withSources(opts, cmd), io);
  });

  addAwsOptions(
    program
      .command('diff')
      .description("one resource's live state against its manifest, field by field; no writes")
      .argument('<Kind/name>', 'the resource, e.g. DbInstance/shop-db')
      .argument('[path]', 'manifest folder or file', 'desired-state')
      .addOption(outputOption()),
    io.env,
  ).action(async (key: string, path: string, opts: AwsCommandOptions, cmd: Command) => {
    const { diffCommand } = await import('./diff.js');
    code = await diffCommand(key, path, withSources(opts, cmd), io);
  });

  addAwsOptions(
    program
      .command('apply')
      .description('plan, then apply exactly that plan and wait for health')
      .argument('[path]', 'manifest folder or file', 'desired-state')
      .option('-y, --yes', 'apply without asking (required when not on a terminal)', false)
      .addOption(new Option('--ecs-timeout <seconds>', 'wait this long for an ECS rollout').argParser(positiveNumber))
      .addOption(new Option('--db-timeout <seconds>', 'wait this long for a DB to be available').argParser(positiveNumber))
      .addOption(new Option('--poll-interval <seconds>', 'between health reads').argParser(positiveNumber).default(D.healthPollInterval))
      .addOption(new Option('--progress-interval <seconds>', 'between the "still waiting" lines').argParser(positiveNumber).default(10))
      .addOption(new Option('--prices <file>', 'price table for the cost deltas (default: the shipped table of the region)').env('BALLAST_PRICES'))
      .addOption(targetOption())
      .addOption(outputOption()),
    io.env,
  ).action(async (path: string, opts: ApplyCommandOptions, cmd: Command) => {
    const { applyCommand } = await import('./apply.js');
    code = await applyCommand(path, withSources(opts, cmd), io);
  });

  addClientOptions(
    program
      .command('drill')
      .description('restore drills (RestoreDrill manifests)')
      .command('run')
      .description('run one restore drill now: restore, check, measure RTO/RPO, delete the copy; exit 0 only when it passed')
      .argument('<name>', 'metadata.name of the RestoreDrill')
      .argument('[path]', 'manifest folder or file', 'desired-state')
      .addOption(new Option('--poll-interval <seconds>', 'between reads while the copy is restored').argParser(positiveNumber).default(DRILL_POLL_SECONDS))
      .addOption(outputOption()),
  ).action(async (name: string, path: string, opts: DrillCommandOptions) => {
    const { drillRunCommand } = await import('./drill.js');
    code = await drillRunCommand(name, path, opts, io);
  });

  addClientOptions(
    program
      .command('import')
      .description('write manifests for live resources, adopting them: one file per service (with its autoscaling), per DB, per alarm prefix')
      .option('--cluster <name>', 'import the ECS services of this cluster')
      .option('--service <name...>', 'with --cluster: only these services (default: every active one)', [])
      .option('--db <identifier...>', 'import these RDS instances (read replicas become a count)', [])
      .option('--master-password-secret <arn>', 'with --db: the Secrets Manager secret holding the master password of DBs whose password RDS does not manage')
      .option('--master-password-key <key>', 'with --master-password-secret: the JSON key of the password in it (default password)')
      .option('--alarm-prefix <prefix...>', 'import the metric alarms whose names start with each prefix, one file per prefix', [])
      .requiredOption('--out <dir>', 'folder to write into (existing files are never overwritten)')
      .option('--schemas <dir>', 'where schemas/all.json lives, for the editor header', 'schemas')
      .addOption(outputOption()),
  ).action(async (opts: ImportCommandOptions) => {
    const { importCommand } = await import('./import.js');
    code = await importCommand(opts, io);
  });

  addOperatorCommands(program, io, (c) => (code = c));

  addPruneOption(
    program
      .command('iam-policy')
      .description('print the least-privilege IAM policy `ballast run` needs for these manifests; no AWS calls')
      .argument('[path]', 'manifest folder or file', 'desired-state')
      .addOption(outputOption())
      .addOption(new Option('--controller-id <id>', 'ownership tag value the controller runs with').env('BALLAST_CONTROLLER_ID').default(D.controllerId)),
    'the controller runs with --prune',
    io.env,
  )
    .addOption(new Option('--lease-table <name>', 'the DynamoDB table the controller elects its leader through').env('BALLAST_LEASE_TABLE'))
    .addOption(new Option('--history-table <name>', 'the DynamoDB table the controller records its writes in').env('BALLAST_HISTORY_TABLE'))
    .addOption(new Option('--events-queue <url>', 'the SQS queue the controller reads change events from').env('BALLAST_EVENTS_QUEUE'))
    .option('--account <id>', 'narrow ARNs to this AWS account (default: any)')
    .option('--region <region>', 'narrow ARNs to this region, and take the partition from it (default: any, partition aws)')
    .addOption(new Option('--scope <scope>', 'tags: writes limited by the ownership tag; names: also by the manifests\' names').choices(['tags', 'names']).default('tags'))
    .option('--check <deployed-policy.json>', 'exit 0 when this deployed policy grants what the manifests need, 2 listing what it lacks')
    .option('--read-only', 'only the reads plan and drift make (for a pull-request workflow role)', false)
    .action(async (path: string, opts: IamPolicyCommandOptions) => {
      const { iamPolicyCommand } = await import('./iam-policy.js');
      code = await iamPolicyCommand(path, opts, io);
    });

  program
    .command('cost')
    .description('monthly cost of the estate the manifests describe, per resource, from AWS public prices; no AWS calls')
    .argument('[path]', 'manifest folder or file', 'desired-state')
    .option('--region <region>', 'region to price (default: AWS_REGION)')
    .option('--prices <file>', 'price table to use instead of the shipped one (from `ballast prices update`)')
    .addOption(outputOption())
    .action(async (path: string, opts: CostCommandOptions) => {
      const { costCommand } = await import('./cost.js');
      code = await costCommand(path, opts, io);
    });

  program
    .command('prices')
    .description('price tables of `ballast cost` and the plan cost deltas')
    .command('update')
    .description('write one price table per region from the AWS Price List API (pricing:GetProducts), or from offer files')
    .requiredOption('--region <region...>', 'regions to write tables for')
    .option('--from <file...>', 'Price List offer files (or saved GetProducts answers) of AmazonECS, AmazonRDS and AmazonCloudWatch instead of the API')
    .option('--out <dir>', 'folder to write <region>.json into', SHIPPED_PRICES)
    .addOption(awsTimeoutOption())
    .addOption(outputOption())
    .action(async (opts: PricesUpdateOptions) => {
      const { pricesUpdateCommand } = await import('./cost.js');
      code = await pricesUpdateCommand(opts, io);
    });

  program
    .command('events')
    .description('event-driven drift: the AWS side of `ballast run --events-queue`')
    .command('setup')
    .description('print (CloudFormation) or, with --apply, create the EventBridge rules, the SQS queue, its policy and its dead-letter queue')
    .option('--apply', 'create them in the current account and region (AWS_REGION) and print the queue URL', false)
    .option('--queue-name <name>', 'the queue the controller reads; <name>-dlq is its dead-letter queue', E.queueName)
    .option('--rule-name <name>', 'prefix of the two rules (<name>-api-calls, <name>-service-events)', E.ruleName)
    .option('--max-receive-count <n>', 'receives before a message goes to the dead-letter queue', (v) => Math.ceil(positiveNumber(v)), E.maxReceiveCount)
    .addOption(awsTimeoutOption())
    .addOption(outputOption())
    .action(async (opts: EventsSetupCommandOptions) => {
      const { eventsSetupCommand } = await import('./events.js');
      code = await eventsSetupCommand(opts, io);
    });

  program
    .command('emulator')
    .description("start the AWS emulator (moto with Ballast's patches) in the foreground and print the environment to export")
    .addOption(new Option('--port <port>', 'loopback port to listen on (default: a free one)').argParser((v) => Math.trunc(positiveNumber(v))).default(0, 'a free one'))
    .addOption(outputOption())
    .action(async (opts: EmulatorCommandOptions) => {
      const { emulatorCommand } = await import('./emulator.js');
      code = await emulatorCommand(opts, io);
    });

  program
    .command('completion')
    .description('print a shell completion script: eval "$(ballast completion bash)" in ~/.bashrc, or zsh in ~/.zshrc')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action(async (shell: 'bash' | 'zsh') => {
      const { completionCommand } = await import('./completion.js');
      code = completionCommand(shell, program, io);
    });

  const run = addAwsOptions(program.command('run').description('the long-running controller: Git watch, webhook, drift scans, Slack, HTTP endpoints'), io.env);
  addRunOptions(run, io.env).action(async () => {
    const { runCommand } = await import('./run.js');
    code = await runCommand(run, io);
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    // Anything a command did not turn into a report (no region set, a port in use, ...): one line, never a stack.
    const message = (err as Error).message ?? String(err);
    if (jsonRequested(argv)) writeJson(io, { error: message });
    else io.stderr(`error: ${message}\n`);
    return 1;
  }
  return code;
}
