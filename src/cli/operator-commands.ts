import { Option, type Command } from 'commander';
import type { Io } from './io.js';
import { outputOption } from './settings.js';
import { parseDuration } from './duration.js';
import type { HistoryCommandOptions } from './history.js';
import type { OperatorOptions } from './operator.js';
import { CONTROLLER_DEFAULTS as D } from '../controller/config.js';

/** The commands that ask the running controller (status, reconcile, suspend, resume) or read its history. */
export function addOperatorCommands(program: Command, io: Io, done: (code: number) => void): void {
  const controllerOption = () =>
    new Option('--controller <url>', 'the running controller (token from BALLAST_API_TOKEN)').env('BALLAST_CONTROLLER_URL').default('http://127.0.0.1:8080');
  program
    .command('status')
    .description('what the running controller has in force: revision, last reconcile, suspensions, every resource')
    .addOption(controllerOption())
    .addOption(outputOption())
    .action(async (opts: OperatorOptions) => {
      const { statusCommand } = await import('./operator.js');
      done(await statusCommand(opts, io));
    });
  program
    .command('reconcile')
    .description('ask the running controller for a reconcile now')
    .option('--wait', 'wait for its result; exit 1 unless it succeeded', false)
    .addOption(controllerOption())
    .addOption(outputOption())
    .action(async (opts: OperatorOptions) => {
      const { reconcileCommand } = await import('./operator.js');
      done(await reconcileCommand(opts, io));
    });
  program
    .command('suspend')
    .description('stop reading and correcting one resource until resumed (or for a while); kept by the controller, not in Git')
    .argument('<Kind/name>', 'the resource, e.g. EcsService/storefront')
    .addOption(new Option('--for <duration>', 'end the suspension by itself after 30s, 45m, 1h, 2d').argParser(parseDuration))
    .option('--reason <text>', 'why, shown in status and Slack (at most 200 characters)')
    .addOption(controllerOption())
    .addOption(outputOption())
    .action(async (key: string, opts: OperatorOptions) => {
      const { suspendCommand } = await import('./operator.js');
      done(await suspendCommand(key, opts, io));
    });
  program
    .command('resume')
    .description('lift a suspension: the resource is read and corrected again from the next reconcile, which starts at once')
    .argument('<Kind/name>', 'the resource, e.g. EcsService/storefront')
    .addOption(controllerOption())
    .addOption(outputOption())
    .action(async (key: string, opts: OperatorOptions) => {
      const { resumeCommand } = await import('./operator.js');
      done(await resumeCommand(key, opts, io));
    });

  program
    .command('history')
    .description('the writes the controller made, oldest first, from its DynamoDB history table')
    .argument('[resource]', 'only this resource, as Kind/name')
    .addOption(new Option('--history-table <name>', 'DynamoDB table the controller records into').env('BALLAST_HISTORY_TABLE'))
    .addOption(new Option('--controller-id <id>', 'whose history').env('BALLAST_CONTROLLER_ID').default(D.controllerId))
    .addOption(new Option('--since <duration>', 'how far back: 30m, 24h, 7d').argParser(parseDuration).default(parseDuration('24h'), '24h'))
    .addOption(outputOption())
    .action(async (resource: string | undefined, opts: HistoryCommandOptions) => {
      const { historyCommand } = await import('./history.js');
      done(await historyCommand(resource, opts, io));
    });
}
