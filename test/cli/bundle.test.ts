import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cp, symlink } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { tempDir } from '../support/temp.js';

const exec = promisify(execFile);
const moto = useMoto();

/** The launcher a user runs, on the bundle the global setup built as `npm run build` does. */
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const ballast = (...args: string[]) => exec(process.execPath, ['bin/ballast.js', ...args], { env: { ...process.env, AWS_ENDPOINT_URL: moto.endpoint } });

describe('the bundled CLI (dist/, as `npm ci` builds it)', () => {
  it('finds its package files, and validates and plans against AWS through the bundled SDK clients', async () => {
    expect((await ballast('--version')).stdout.trim()).toBe(version);

    await createNetwork(moto.aws());
    // The revision is validated first: the compiled validators load ajv's helpers through the bundle too.
    const plan = JSON.parse((await ballast('plan', 'desired-state', '--output', 'json')).stdout) as { resources: { status: string }[] };
    expect(plan.resources.length).toBeGreaterThan(20);
    expect(new Set(plan.resources.map((r) => r.status))).toEqual(new Set(['create']));
  });

  it('loads every chunk: a command no other test runs through the launcher still finds all it imports', async () => {
    const chunks = readdirSync('dist/chunks').filter((f) => f.endsWith('.js'));
    expect(chunks.length).toBeGreaterThan(10);
    const script = `for (const f of ${JSON.stringify(chunks)}) await import('./dist/chunks/' + f); console.log('loaded');`;
    expect((await exec(process.execPath, ['--input-type=module', '-e', script])).stdout).toBe('loaded\n');
  });

  it("runs from the image's layout (dist/, bin/, package.json and prices/ beside the dependencies), from any folder", async () => {
    const app = await tempDir('image');
    for (const part of ['dist', 'bin', 'package.json', 'prices']) await cp(part, path.join(app, part), { recursive: true });
    await symlink(path.resolve('node_modules'), path.join(app, 'node_modules'));
    const run = await exec(process.execPath, [path.join(app, 'bin/ballast.js'), '--version'], { cwd: await tempDir('elsewhere') });
    expect(run.stdout.trim()).toBe(version);
  });
});
