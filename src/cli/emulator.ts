import { once } from 'node:events';
import { findMotoPython, startEmulator } from '../demo/emulator.js';
import { writeJson, type Io, type OutputFormat } from './io.js';

export interface EmulatorCommandOptions {
  port: number;
  output: OutputFormat;
}

/** Dummy credentials only an emulator accepts: a shell that exports them cannot reach a real account by mistake. */
const EMULATOR_CREDENTIALS = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

/** Resolves on the first Ctrl-C (or SIGTERM). */
const interrupted = (): Promise<void> => Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]).then(() => undefined);

/**
 * `ballast emulator`: the project's patched moto in the foreground, and the environment that points the CLI (and the
 * AWS CLI) at it. Runs until `until` resolves: Ctrl-C from a shell, a promise in a test.
 */
export async function emulatorCommand(options: EmulatorCommandOptions, io: Io, until: Promise<void> = interrupted()): Promise<number> {
  const python = findMotoPython({ install: true, say: (line) => io.stderr(`${line}\n`) });
  const emulator = await startEmulator({ python, port: options.port });
  const env = { AWS_ENDPOINT_URL: emulator.endpoint, ...EMULATOR_CREDENTIALS };
  if (options.output === 'json') {
    writeJson(io, { endpoint: emulator.endpoint, env });
  } else {
    io.stdout(`${Object.entries(env).map(([k, v]) => `export ${k}=${v}`).join('\n')}\n`);
    io.stderr(`AWS emulator (moto with Ballast's patches) listening on ${emulator.endpoint}: paste the lines above into another shell. Ctrl-C stops it and forgets everything.\n`);
  }
  try {
    await until;
  } finally {
    await emulator.stop();
  }
  io.stderr('emulator stopped\n');
  return 0;
}
