import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { emulatorCommand } from '../../src/cli/emulator.js';
import { findMotoPython } from '../../src/demo/emulator.js';
import { within } from '../support/wait.js';

describe('ballast emulator', () => {
  it('prints the environment that reaches the running emulator, and stops it when interrupted', async () => {
    let stdout = '';
    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    let printed!: () => void;
    const ready = new Promise<void>((resolve) => (printed = resolve));
    const io = { stdout: (t: string) => ((stdout += t), printed()), stderr: () => undefined, env: process.env, interactive: false };
    const exited = emulatorCommand({ port: 0, output: 'text' }, io, until);
    // Stopped however the test ends: a failed wait left the emulator running after the suite.
    onTestFinished(async () => {
      stop();
      await exited;
    });
    await within(ready, 'the environment to export');

    const env = Object.fromEntries([...stdout.matchAll(/^export (\w+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
    expect(Object.keys(env).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']);
    expect(env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The printed settings are all an SDK client needs.
    const client = new DynamoDBClient({ endpoint: env.AWS_ENDPOINT_URL, region: env.AWS_REGION, credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! } });
    expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);

    stop();
    expect(await exited).toBe(0);
    await expect(fetch(`${env.AWS_ENDPOINT_URL}/moto-api/`)).rejects.toThrow();
  });

  it('ends with the process that started it, even one killed with SIGKILL', async () => {
    const parent = spawn(process.execPath, ['bin/ballast.js', 'emulator', '-o', 'json'], { stdio: ['ignore', 'pipe', 'ignore'] });
    onTestFinished(() => void parent.kill('SIGKILL'));
    const [first] = (await within(once(parent.stdout, 'data'), 'the emulator to print its endpoint')) as [Buffer];
    const { endpoint } = JSON.parse(first.toString()) as { endpoint: string };
    expect((await fetch(`${endpoint}/moto-api/`)).ok).toBe(true);
    parent.kill('SIGKILL');
    await once(parent, 'exit');
    // The kernel tells the emulator at once; it exits in the time a SIGTERM takes.
    const gone = (async () => {
      for (;;) {
        if (await fetch(`${endpoint}/moto-api/`).then(() => false, () => true)) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    await within(gone, 'the emulator to stop answering after its parent was killed');
  });

  it('runs moto on the interpreter itself, not on a launcher in front of it (a pyenv shim costs 0.4 s of CPU a start)', () => {
    const python = findMotoPython();
    expect(path.isAbsolute(python)).toBe(true);
    // An interpreter names itself; a shim or a bare `python3` would name the interpreter behind it.
    expect(execFileSync(python, ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim()).toBe(python);
  });
});
