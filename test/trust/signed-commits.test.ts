import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { Aws } from '../../src/aws/clients.js';
import { startController, type RunningController } from '../../src/controller/run.js';
import { CONTROLLER_DEFAULTS } from '../../src/controller/config.js';
import type { Controller, ReconcileSummary } from '../../src/controller/controller.js';
import { CommitVerifier } from '../../src/trust/signature.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { SlackReceiver } from '../support/slack.js';
import { editManifest, setField } from '../support/manifests.js';
import { allowedSigners, signedWith, sshKey, type SshKey } from '../support/signing.js';
import { fixtureTable } from '../support/prices.js';
import { settled } from '../support/controller.js';

const exec = promisify(execFile);
const moto = useMoto();

/** The next reconcile; tests call it once the health reads after a rollout, which also end as reconciles, settled. */
function reconciled(controller: Controller): Promise<ReconcileSummary> {
  return new Promise((resolve) => controller.once('reconciled', resolve));
}

async function threshold(aws: Aws): Promise<number | undefined> {
  return (await aws.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['storefront-cpu-high'] }))).MetricAlarms?.[0]?.Threshold;
}

describe('only signed commits are applied', () => {
  let repo: TestRepo;
  let keys: string;
  let slack: SlackReceiver;
  let running: RunningController | undefined;
  let logs: { msg: string; revision?: string; committer?: string; reason?: string; signer?: string }[];

  /** Commits the work clone (signed with `key`, or unsigned) and pushes it. */
  async function commit(message: string, key?: SshKey): Promise<string> {
    await repo.git.add('.');
    const sign = key ? [...signedWith(key), 'commit', '-S'] : ['commit', '--no-gpg-sign'];
    await repo.git.raw([...sign, '--allow-empty', '-m', message]);
    await repo.git.push('origin', 'main');
    return (await repo.git.revparse(['HEAD'])).trim();
  }

  /** Pushes a threshold change to storefront-cpu-high and lets the controller look at it. */
  async function pushThreshold(value: number, key?: SshKey): Promise<{ sha: string; summary: ReconcileSummary }> {
    await editManifest(path.join(repo.work, 'desired-state'), 'Alarm/storefront-cpu-high', setField(['spec', 'threshold'], value));
    const sha = await commit(`storefront alarm at ${value}`, key);
    const next = reconciled(running!.controller);
    running!.controller.trigger('webhook');
    return { sha, summary: await next };
  }

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    repo = await createRepo();
    keys = await mkdtemp(path.join(tmpdir(), 'ballast-keys-'));
    slack = new SlackReceiver();
    logs = [];
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await slack.stop();
    await removeRepo(repo);
    await rm(keys, { recursive: true, force: true });
  });

  it('applies a commit signed by an allowed SSH key and refuses unsigned and foreign-signed heads, keeping the last good one', { timeout: 60_000 }, async () => {
    const alice = await sshKey(keys, 'alice');
    const mallory = await sshKey(keys, 'mallory');
    const signers = await allowedSigners(path.join(keys, 'allowed_signers'), [['alice@example.com', alice]]);
    const good = await commit('signed start', alice);
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(JSON.parse(chunk.toString()) as (typeof logs)[number]), done()) });
    const first = await new Promise<ReconcileSummary>((resolve) => {
      void startController(
        {
          ...CONTROLLER_DEFAULTS,
          repoUrl: repo.url,
          workdir: path.join(keys, 'clone'),
          pollInterval: 3600,
          driftSchedule: '0 0 1 1 *',
          slackWebhookUrl: undefined,
          port: 0,
          host: '127.0.0.1',
          healthPollInterval: 0.05,
          allowedSigners: signers,
        },
        pino({ level: 'info' }, sink),
      ).then((r) => {
        running = r;
        r.controller.once('reconciled', resolve);
      });
    });
    expect(first.result).toBe('success');
    await settled(running!.controller);
    expect(running!.controller.revision?.sha).toBe(good);
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'revision loaded', revision: good, signer: 'alice@example.com' }));

    const unsigned = await pushThreshold(50);
    expect(unsigned.summary.result).toBe('invalid');
    expect(unsigned.summary.writes).toBe(0);
    expect(await threshold(moto.aws())).toBe(85);
    expect(running!.controller.revision?.sha).toBe(good);
    const status = (await (await fetch(`${running!.url}/status`)).json()) as { rejectedRevision: { sha: string; refused: { committer: string; reason: string } } };
    expect(status.rejectedRevision).toMatchObject({ sha: unsigned.sha, refused: { committer: 'Platform Team <platform@example.com>', reason: 'the commit is not signed' } });
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'unsigned revision refused: keeping the last good one', revision: unsigned.sha, committer: 'Platform Team <platform@example.com>' }));

    const foreign = await pushThreshold(60, mallory);
    expect(foreign.summary.result).toBe('invalid');
    expect(await threshold(moto.aws())).toBe(85);
    expect(running!.controller.badRevision?.refused?.reason).toBe('signed by a key that is not in the allowed signers');

    const signed = await pushThreshold(70, alice);
    expect(signed.summary.result).toBe('success');
    expect(running!.controller.revision?.sha).toBe(signed.sha);
    expect(running!.controller.badRevision).toBeUndefined();
    expect(await threshold(moto.aws())).toBe(70);
  });

  it('tells Slack who committed a refused revision and why, once; a signed resize then reaches Slack with its monthly cost', { timeout: 90_000 }, async () => {
    const alice = await sshKey(keys, 'alice');
    const signers = await allowedSigners(path.join(keys, 'allowed_signers'), [['alice@example.com', alice]]);
    await commit('signed start', alice);
    const url = await slack.start();
    const prices = await fixtureTable();
    await new Promise<void>((resolve) => {
      void startController(
        {
          ...CONTROLLER_DEFAULTS,
          repoUrl: repo.url,
          workdir: path.join(keys, 'clone'),
          pollInterval: 3600,
          driftSchedule: '0 0 1 1 *',
          slackWebhookUrl: url,
          port: 0,
          host: '127.0.0.1',
          healthPollInterval: 0.05,
          allowedSigners: signers,
          prices,
        },
        pino({ level: 'silent' }),
      ).then((r) => {
        running = r;
        r.controller.once('reconciled', () => resolve());
      });
    });
    await settled(running!.controller);
    const before = slack.messages.length;
    const { sha } = await pushThreshold(50);
    await slack.received(before + 1);
    const again = reconciled(running!.controller);
    running!.controller.trigger('drift-scan');
    await again;
    const refused = slack.texts().slice(before).filter((t) => t.includes('refused'));
    expect(refused).toEqual([`Revision ${sha.slice(0, 7)} refused: the commit is not signed; ${running!.controller.revision!.sha.slice(0, 7)} stays in force\ncommitted by Platform Team &lt;platform@example.com&gt;`]);

    const count = slack.messages.length;
    await editManifest(path.join(repo.work, 'desired-state'), 'EcsService/storefront', (m) => {
      setField(['spec', 'cpu'], 1024)(m);
      setField(['spec', 'memory'], 2048)(m);
    });
    await commit('storefront: 1 vCPU, 2 GB', alice);
    const applied = reconciled(running!.controller);
    running!.controller.trigger('webhook');
    expect((await applied).result).toBe('success');
    await slack.received(count + 1);
    // 3..12 tasks each gain 0.5 vCPU and 1 GB: (0.5 × 0.04048 + 0.004445) × 730 × 3..12 with the fixture prices.
    // Slack text escapes &, < and >: the fallback shows "->" as "-&gt;".
    expect(slack.texts().slice(count).join('\n')).toMatch(/EcsService\/storefront .*; cost: \+ \$54\.06\.\.\$216\.24\/month \(3\.\.12 tasks \(auto scaling min\.\.max\) × \(0\.5 vCPU \+ 1 GB\), Fargate x86_64 -&gt; 3\.\.12 tasks \(auto scaling min\.\.max\) × \(1 vCPU \+ 2 GB\), Fargate x86_64\)/);
  });
});

describe('CommitVerifier with an OpenPGP keyring', () => {
  it('trusts a commit signed by a key of the keyring and no other', { timeout: 30_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ballast-gpg-'));
    try {
      const home = path.join(dir, 'gnupg');
      await exec('mkdir', ['-m', '700', home]);
      const gpg = (...args: string[]) => exec('gpg', ['--batch', '--homedir', home, ...args]);
      await gpg('--passphrase', '', '--quick-gen-key', 'Alice <alice@example.com>', 'ed25519', 'sign', 'never');
      await gpg('--output', path.join(dir, 'keyring.gpg'), '--export', 'alice@example.com');
      const work = path.join(dir, 'repo');
      const git = (...args: string[]) => exec('git', ['-C', work, ...args], { env: { ...process.env, GNUPGHOME: home } });
      await exec('git', ['init', '-q', work]);
      await git('-c', 'user.name=Alice', '-c', 'user.email=alice@example.com', 'commit', '-q', '-S', '--allow-empty', '-m', 'signed');
      const sha = (await git('rev-parse', 'HEAD')).stdout.trim();

      const trusting = new CommitVerifier({ gpgKeyring: path.join(dir, 'keyring.gpg') });
      await trusting.check();
      expect(await trusting.verify(work, sha)).toMatchObject({ trusted: true, signer: expect.stringContaining('alice@example.com') });
      await trusting.close();
      const other = new CommitVerifier({ allowedSigners: '/dev/null' });
      expect(await other.verify(work, sha)).toMatchObject({ trusted: false, reason: expect.stringContaining('not in the allowed signers') });
      await other.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
