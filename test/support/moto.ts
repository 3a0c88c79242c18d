import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createAws, type Aws } from '../../src/aws/clients.js';

export interface Moto {
  endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'The AWS emulator (moto) was not found for python3. Install it with: python3 -m pip install "moto[server]>=5.2,<5.3"';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const LAUNCHER = fileURLToPath(new URL('./moto_server.py', import.meta.url));

/** moto's server through a small launcher that closes two ECS gaps (see moto_server.py). */
function motoCommand(): [string, string[]] {
  if (spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0) return ['python3', [LAUNCHER]];
  throw new Error(INSTALL_HINT);
}

/**
 * Starts moto_server on a free loopback port and resolves once it says it is listening.
 * `env` reaches the server process (e.g. MOTO_ECS_SERVICE_RUNNING so ECS rollouts complete).
 */
export async function startMoto(env: Record<string, string> = {}): Promise<Moto> {
  const [cmd, args] = motoCommand();
  const port = await freePort();
  const child: ChildProcess = spawn(cmd, [...args, '-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, MOTO_ECS_SERVICE_RUNNING: '1000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(`Running on ${endpoint}`)) {
        child.stderr?.off('data', onData);
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`moto_server exited with ${code} before listening:\n${seen}`)));
  });
  // Keep draining output so the server never blocks on a full pipe.
  child.stderr?.resume();
  child.stdout?.resume();
  return {
    endpoint,
    async reset() {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      if (!res.ok) throw new Error(`moto reset failed: ${res.status}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Test credentials that can only ever reach the emulator. */
export const EMULATOR_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_REGION: 'us-east-1',
};

/**
 * One emulator per test file, reset before each test. `aws()` gives fresh counted clients pointed at it.
 */
export function useMoto(env: Record<string, string> = {}) {
  let moto: Moto | undefined;
  Object.assign(process.env, EMULATOR_ENV);
  beforeAll(async () => {
    moto = await startMoto(env);
  });
  afterAll(async () => {
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto?.reset();
  });
  return {
    get endpoint(): string {
      if (!moto) throw new Error('moto is not started yet');
      return moto.endpoint;
    },
    aws(): Aws {
      return createAws({ endpoint: this.endpoint, region: 'us-east-1', maxAttempts: 1 });
    },
  };
}
