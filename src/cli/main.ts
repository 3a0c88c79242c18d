import { Command, CommanderError, Option } from 'commander';
import { processIo, type Io, type OutputFormat } from './io.js';
import { validateCommand } from './validate.js';
import { schemaCommand } from './schema.js';

const outputOption = () =>
  new Option('-o, --output <format>', 'text for people, json for scripts (one document on stdout)').choices(['text', 'json']).default('text');

/** Runs the CLI with argv (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let code = 0;
  const program = new Command('ballast')
    .description('GitOps controller for an AWS ECS Fargate + RDS estate')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('validate')
    .description('load and check manifests (schema and cross-references); no AWS calls')
    .argument('[path]', 'manifest folder or file', 'desired-state')
    .addOption(outputOption())
    .action(async (path: string, opts: { output: OutputFormat }) => {
      code = await validateCommand(path, opts.output, io);
    });

  program
    .command('schema')
    .description('write one JSON Schema per kind, for editors (yaml-language-server)')
    .option('--out <dir>', 'folder to write into', 'schemas')
    .action(async (opts: { out: string }) => {
      code = await schemaCommand(opts.out, io);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    throw err;
  }
  return code;
}
