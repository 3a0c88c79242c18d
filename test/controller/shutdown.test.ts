import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { ControllerProcess } from '../support/controller-process.js';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

const moto = useMoto();

describe('ballast run shutdown', () => {
  let repo: TestRepo;
  // The real launcher, as a container runs it (the global setup compiled dist/ for this run).
  beforeEach(async () => {
    await createNetwork(moto.aws());
    repo = await createRepo();
  });
  afterEach(() => removeRepo(repo));

  it('exits 0 within 30 s on SIGTERM in the middle of a reconcile', async () => {
    const child = spawn(process.execPath, ['bin/ballast.js', 'run'], {
      env: {
        ...process.env,
        AWS_ENDPOINT_URL: moto.endpoint,
        BALLAST_REPO_URL: repo.url,
        BALLAST_WORKDIR: await tempDir('clone'),
        BALLAST_PORT: '0',
        BALLAST_HOST: '127.0.0.1',
        BALLAST_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // The first write of the first reconcile: the controller is in the middle of applying.
    await new Promise<void>((resolve) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('"msg":"write"')) resolve();
      });
    });
    const signalled = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(30_000);
  });

  it('exits 0 within 10 s of SIGTERM while a Git fetch hangs on a remote that never answers, saying what it left', async () => {
    // Accepts connections and never says a word: git would wait for minutes.
    const sockets: Socket[] = [];
    const blackHole = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve));
    const port = (blackHole.address() as AddressInfo).port;
    const controller = await ControllerProcess.start({ AWS_ENDPOINT_URL: moto.endpoint, BALLAST_REPO_URL: `http://127.0.0.1:${port}/shop/estate.git` });
    try {
      await controller.waitFor((l) => l.msg === 'reconcile started', 30_000);
      await new Promise<void>((resolve) => (sockets.length > 0 ? resolve() : blackHole.once('connection', () => resolve())));
      const signalled = Date.now();
      controller.child.kill('SIGTERM');
      expect(await controller.exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(12_000);
      const left = controller.logs.find((l) => l.msg === 'shutdown: leaving what did not finish in time');
      expect(left?.abandoned).toEqual([expect.stringMatching(/^a reconcile/)]);
    } finally {
      await controller.kill();
      for (const s of sockets) s.destroy();
      blackHole.close();
    }
  }, 90_000);
});
