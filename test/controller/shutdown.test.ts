import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';

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
        BALLAST_WORKDIR: await mkdtemp(path.join(tmpdir(), 'ballast-clone-')),
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
});
