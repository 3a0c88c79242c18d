import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Command } from 'commander';
import { addAwsOptions } from '../../src/cli/settings.js';
import { addRunOptions } from '../../src/cli/run-options.js';
import { resolveRunConfig } from '../../src/cli/run.js';
import { tempDir } from '../support/temp.js';
import { runCli } from '../support/cli.js';

/** Parses `ballast run` arguments the way the CLI does, with the given environment. */
async function config(args: string[], env: Record<string, string> = {}) {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
  const cmd = addRunOptions(addAwsOptions(new Command('run').exitOverride(), process.env), process.env);
  cmd.parse(args, { from: 'user' });
  return resolveRunConfig(cmd, process.env);
}

async function file(settings: string): Promise<string> {
  const f = path.join(await tempDir('config'), 'ballast.yaml');
  await writeFile(f, settings);
  return f;
}

describe('ballast run settings', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('share the targets only when asked, and refuse to without a lease table', async () => {
    const repo = ['--repo', 'https://git.example/estate.git'];
    expect((await config(repo)).shareTargets).toBe(false);
    expect((await config(repo, { BALLAST_SHARE_TARGETS: 'false' })).shareTargets).toBe(false);
    expect((await config(repo, { BALLAST_SHARE_TARGETS: 'true' })).shareTargets).toBe(true);
    expect((await config([...repo, '--share-targets'])).shareTargets).toBe(true);
    const run = await runCli(['run', ...repo, '--share-targets'], { env: { ...process.env, BALLAST_LEASE_TABLE: undefined } });
    expect(run).toMatchObject({ code: 1, stderr: 'error: --share-targets needs a lease table: pass --lease-table or set BALLAST_LEASE_TABLE\n' });
    const withStatuses = await runCli(['run', ...repo, '--share-targets', '--lease-table', 'leases'], { env: { ...process.env, BALLAST_GITHUB_TOKEN: 'x' } });
    expect(withStatuses).toMatchObject({ code: 1, stderr: 'error: --share-targets does not post GitHub commit statuses yet: leave BALLAST_GITHUB_TOKEN unset\n' });
  });

  it('take a flag over the environment, the environment over the file, the file over the default', async () => {
    const f = await file('repoUrl: https://git.example/estate.git\nbranch: from-file\npollInterval: 30\nport: 9001\ndriftSchedule: "*/5 * * * *"\n');
    const c = await config(['--config', f, '--port', '9002'], { BALLAST_BRANCH: 'from-env' });
    expect(c).toMatchObject({
      repoUrl: 'https://git.example/estate.git',
      branch: 'from-env',
      port: 9002,
      pollInterval: 30,
      driftSchedule: '*/5 * * * *',
      path: 'desired-state',
      quietPeriod: 3600,
    });
    expect((await config(['--config', f, '--repo', 'https://git.example/other.git'])).repoUrl).toBe('https://git.example/other.git');
  });

  it('read secrets from the environment or the file, never from a flag', async () => {
    const f = await file('repoUrl: r\nwebhookSecret: from-file\nslackWebhookUrl: https://hooks.example/x\n');
    expect(await config(['--config', f], { BALLAST_WEBHOOK_SECRET: 'from-env' })).toMatchObject({ webhookSecret: 'from-env', slackWebhookUrl: 'https://hooks.example/x' });
    await expect(config(['--repo', 'r', '--webhook-secret', 'x'])).rejects.toThrow(/unknown option/);
  });

  it('check file values like flags and refuse unknown keys', async () => {
    await expect(config(['--config', await file('repoUrl: r\npollInterval: 0\n')])).rejects.toThrow(/pollInterval: expected a positive number, got "0"/);
    await expect(config(['--config', await file('repoUrl: r\npolInterval: 30\n')])).rejects.toThrow(/unknown setting "polInterval"/);
    await expect(config([])).rejects.toThrow(/no repository/);
  });

  it('turn prune on only for BALLAST_PRUNE=true or 1', async () => {
    expect((await config(['--repo', 'r'], { BALLAST_PRUNE: 'false' })).prune).toBe(false);
    expect((await config(['--repo', 'r'], { BALLAST_PRUNE: 'true' })).prune).toBe(true);
    expect((await config(['--repo', 'r', '--prune'])).prune).toBe(true);
    // The environment beats the config file here too.
    expect((await config(['--config', await file('repoUrl: r\nprune: false\n')], { BALLAST_PRUNE: 'true' })).prune).toBe(true);
    expect((await config(['--config', await file('repoUrl: r\nprune: true\n')])).prune).toBe(true);
  });

  it('scan for drift every minute, or every 15 minutes when an events queue reports changes, unless a schedule is given', async () => {
    const queue = 'https://sqs.eu-west-1.amazonaws.com/111122223333/ballast-events';
    expect((await config(['--repo', 'r'])).driftSchedule).toBe('* * * * *');
    expect(await config(['--repo', 'r'], { BALLAST_EVENTS_QUEUE: queue })).toMatchObject({ eventsQueue: queue, driftSchedule: '*/15 * * * *', eventsCoalesce: 2 });
    expect((await config(['--repo', 'r', '--events-queue', queue, '--drift-schedule', '*/5 * * * *'])).driftSchedule).toBe('*/5 * * * *');
    expect((await config(['--config', await file(`repoUrl: r\neventsQueue: ${queue}\ndriftSchedule: "0 * * * *"\n`)])).driftSchedule).toBe('0 * * * *');
  });
});
