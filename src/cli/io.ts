import { createInterface } from 'node:readline/promises';
import { BALLAST_VERSION } from '../version.js';
import { painter, plain, type Paint } from '../report/colour.js';

/** Where a command writes: results to stdout, logs and progress to stderr. Injected so tests run commands in-process. */
export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** True when a person can answer a prompt. */
  interactive: boolean;
  /** Colours for stdout: only on a terminal and without NO_COLOR (absent: none). */
  paint?: Paint;
  /** Stands for Ctrl-C during `apply` (tests); absent: the process's SIGINT. */
  interrupt?: AbortSignal;
  /** Asks a yes/no question on the terminal. */
  confirm?: (question: string) => Promise<boolean>;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    paint: painter(process.stdout, process.env),
    async confirm(question) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
      } finally {
        rl.close();
      }
    },
  };
}

export type OutputFormat = 'text' | 'json';

export const paintOf = (io: Io): Paint => io.paint ?? plain;

/** Bumped when a field of a JSON document changes meaning or goes away; new fields do not bump it. */
export const FORMAT_VERSION = 1;

/** One JSON document on stdout, with what a tool needs to trust it: format, Ballast version, revision, time. */
export function writeJson(io: Io, value: object, revision: string | null = null): void {
  const document = { formatVersion: FORMAT_VERSION, ballastVersion: BALLAST_VERSION, revision, timestamp: new Date().toISOString(), ...value };
  io.stdout(`${JSON.stringify(document, null, 2)}\n`);
}

/** A document in someone else's format (an IAM policy), printed as is. */
export function writeRawJson(io: Io, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
