import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp.js';
import { pino } from 'pino';
import { startController, type RunningController } from '../../src/controller/run.js';
import { CONTROLLER_DEFAULTS } from '../../src/controller/config.js';
import type { ReconcileSummary } from '../../src/controller/controller.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { GitHubStandIn } from '../support/github.js';
import { editManifest, setField } from '../support/manifests.js';

const moto = useMoto();
const TOKEN = 'ghp_tokenForTestsOnly0123456789';

describe('commit statuses on GitHub', () => {
  let repo: TestRepo;
  let github: GitHubStandIn;
  let running: RunningController | undefined;
  let logs: string;

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    repo = await createRepo();
    github = new GitHubStandIn();
    logs = '';
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    await github.stop();
    await removeRepo(repo);
  });

  it('marks each reconciled revision pending, then success or failure, with a link to /status; requests match GitHub\'s API description', { timeout: 90_000 }, async () => {
    const apiUrl = await github.start();
    const workdir = await tempDir('clone');
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((logs += chunk.toString()), done()) });
    await new Promise<ReconcileSummary>((resolve) => {
      void startController(
        {
          ...CONTROLLER_DEFAULTS,
          repoUrl: repo.url,
          workdir,
          pollInterval: 3600,
          driftSchedule: '0 0 1 1 *',
          port: 0,
          host: '127.0.0.1',
          healthPollInterval: 0.05,
          githubToken: TOKEN,
          githubRepository: 'shop/estate',
          githubApiUrl: apiUrl,
          publicUrl: 'https://ballast.shop.example/',
        },
        pino({ level: 'info' }, sink),
      ).then((r) => {
        running = r;
        r.controller.once('reconciled', resolve);
      });
    });
    const good = running!.controller.revision!.sha;
    // Pending while the new services roll out (the controller follows them without waiting), success once healthy.
    const states = () => github.requests.map((r) => (r.body as { state: string }).state);
    for (let n = 2; !states().includes('success'); n++) await github.received(n);
    const success = github.requests.length - 1;
    expect(states()).toEqual([...Array<string>(success).fill('pending'), 'success']);
    expect(github.requests.map((r) => r.operation)).toEqual(Array<string>(success + 1).fill('/repos/{owner}/{repo}/statuses/{sha}'));
    expect(github.requests[success]).toMatchObject({
      path: `/repos/shop/estate/statuses/${good}`,
      body: { state: 'success', context: 'ballast/ballast', target_url: 'https://ballast.shop.example/status', description: 'Reconciled: live resources match and are healthy' },
    });
    expect(github.requests[success]!.headers.authorization).toBe(`Bearer ${TOKEN}`);

    // A drift scan of the same converged commit says nothing new.
    const scan = new Promise((resolve) => running!.controller.once('reconciled', resolve));
    running!.controller.trigger('drift-scan');
    await scan;

    await editManifest(path.join(repo.work, 'desired-state'), 'EcsService/storefront', setField(['spec', 'cpu'], 300));
    const bad = await repo.push('storefront: an impossible size');
    const rejected = new Promise((resolve) => running!.controller.once('reconciled', resolve));
    running!.controller.trigger('webhook');
    await rejected;
    await github.received(success + 2);
    expect(github.requests).toHaveLength(success + 2);
    expect(github.requests[success + 1]).toMatchObject({
      path: `/repos/shop/estate/statuses/${bad}`,
      body: { state: 'failure', description: 'invalid: 1 problem in the manifests; the last good revision stays in force' },
    });
    expect(github.problems).toEqual([]);
    expect(logs).toContain('commit status set');
    expect(logs).not.toContain(TOKEN);
  });

  it('the stand-in refuses a request GitHub would refuse', async () => {
    const apiUrl = await github.start();
    const response = await fetch(`${apiUrl}/repos/shop/estate/statuses/abc`, {
      method: 'POST',
      headers: { accept: 'application/vnd.github+json', authorization: 'Bearer x', 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'fine', context: 'ballast' }),
    });
    expect(response.status).toBe(422);
    expect(github.problems).toEqual([expect.stringContaining('must be equal to one of the allowed values')]);
  });
});
