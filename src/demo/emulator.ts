import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';

const LAUNCHER = path.join(PACKAGE_ROOT, 'emulator/moto_server.py');
const VENV = path.join(PACKAGE_ROOT, '.venv');
const VENV_PYTHON = path.join(VENV, 'bin/python');
const MOTO_REQUIREMENT = 'moto[server]==5.2.1';

export interface Emulator {
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The interpreter `python` runs as (its sys.executable) when it finds moto and what its server needs, checked without
 * importing them (importing moto.server costs a second of CPU, and every emulator start asks); undefined when it does
 * not. The emulator then starts that interpreter directly: a version manager's shim (pyenv's python3 is a shell script
 * that runs several more) costs about 0.4 s of CPU per start. Answers are kept for the process: the tests start several.
 */
const FINDS_MOTO =
  'import sys; from importlib.util import find_spec; all(find_spec(m) for m in ("moto", "boto3", "botocore", "responses", "flask", "flask_cors", "werkzeug")) or sys.exit(1); print(sys.executable)';
const motoFound = new Map<string, string | undefined>();
function motoInterpreter(python: string): string | undefined {
  if (!motoFound.has(python)) {
    const check = spawnSync(python, ['-c', FINDS_MOTO], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    // sys.executable may be empty where Python cannot tell its own path: the name asked for still works.
    motoFound.set(python, check.status === 0 ? check.stdout.trim() || python : undefined);
  }
  return motoFound.get(python);
}

/**
 * A Python that can run moto: python3 when it has moto, else the one behind `moto_server` on PATH, else the
 * project's .venv. With `install`, a missing moto
 * is installed into .venv (git-ignored); without Python 3 at all there is nothing to install into.
 */
export function findMotoPython(options: { install?: boolean; say?: (line: string) => void } = {}): string {
  const system = motoInterpreter('python3');
  if (system) return system;
  const onPath = motoServerPython();
  const behindServer = onPath && motoInterpreter(onPath);
  if (behindServer) return behindServer;
  const venv = existsSync(VENV_PYTHON) && motoInterpreter(VENV_PYTHON);
  if (venv) return venv;
  if (spawnSync('python3', ['--version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('Python 3 is needed for the AWS emulator (moto). Install it (Debian: apt-get install python3 python3-venv) and run again.');
  }
  if (!options.install) throw new Error(`The AWS emulator is missing. Install it with: python3 -m pip install "${MOTO_REQUIREMENT}"`);
  options.say?.(`moto is not installed: installing ${MOTO_REQUIREMENT} into .venv (once)`);
  const created = spawnSync('python3', ['-m', 'venv', VENV], { stdio: 'inherit' });
  const pip = created.status === 0 && spawnSync(VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', MOTO_REQUIREMENT], { stdio: 'inherit' });
  motoFound.delete(VENV_PYTHON);
  const installed = pip && pip.status === 0 ? motoInterpreter(VENV_PYTHON) : undefined;
  if (!installed) {
    throw new Error(`Could not install ${MOTO_REQUIREMENT} into .venv. Install it by hand: python3 -m pip install "${MOTO_REQUIREMENT}"`);
  }
  return installed;
}

/** The Python behind a `moto_server` on PATH (pipx and the like give it an interpreter of its own). */
function motoServerPython(): string | undefined {
  const which = spawnSync('sh', ['-c', 'command -v moto_server'], { encoding: 'utf8' });
  const script = which.status === 0 ? which.stdout.trim() : '';
  if (!script) return undefined;
  const shebang = /^#!\s*(?:\S*\/env\s+)?(\S+)/.exec(readFileSync(script, 'utf8').split('\n', 1)[0] ?? '');
  return shebang?.[1];
}

/**
 * Starts moto on a loopback port the kernel picks (port 0, so parallel starts never race for a port; or `port`) through the
 * project's launcher, which makes it answer as AWS does where Ballast depends on it (see emulator/README.md), and
 * resolves once it is listening.
 */
export async function startEmulator(options: { python?: string; port?: number } = {}): Promise<Emulator> {
  const python = options.python ?? findMotoPython();
  const child: ChildProcess = spawn(python, [LAUNCHER, '-H', '127.0.0.1', '-p', String(options.port ?? 0)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const listening = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (listening?.[1]) resolve(listening[1]);
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code} before listening:\n${seen}`)));
  });
  // Keep draining its output so it never blocks on a full pipe.
  child.stderr?.removeAllListeners('data').resume();
  child.stdout?.removeAllListeners('data').resume();
  return {
    endpoint,
    reset: () => resetEmulator(endpoint),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Drops every resource of every service and account the emulator holds. */
export async function resetEmulator(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`emulator reset failed: ${res.status}`);
}
