import { main } from '../../src/cli/main.js';
import type { Io } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout parsed, for --output json runs. */
  json: <T = Record<string, unknown>>() => T;
}

/** Runs the CLI in-process, as a user would from a shell, capturing both streams. */
export async function runCli(argv: string[], options: Partial<Io> = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env: process.env,
    interactive: false,
    ...options,
  });
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
