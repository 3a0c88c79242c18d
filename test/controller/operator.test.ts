import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningController } from '../../src/controller/run.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { startTestController } from '../support/controller.js';
import { runCli } from '../support/cli.js';

const moto = useMoto();
const TOKEN = 'operator-token-for-tests';

describe('operator commands against a running controller', () => {
  let repo: TestRepo;
  let running: RunningController | undefined;

  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    repo = await createRepo();
    // No health read follows the first rollouts during a test: status shows the startup run's table.
    ({ running } = await startTestController({ repoUrl: repo.url, apiToken: TOKEN, healthPollInterval: 3600 }));
  });

  afterEach(async () => {
    await running?.stop();
    await removeRepo(repo);
  });

  // null: no token at all.
  const cli = (args: string[], token: string | null = TOKEN) =>
    runCli([...args, '--controller', running!.url], { env: { ...process.env, BALLAST_API_TOKEN: token ?? undefined } });

  it('ballast status shows the revision in force, the last reconcile and a table of resources', async () => {
    const text = await cli(['status']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`revision   ${running!.controller.revision!.sha.slice(0, 7)} Platform Team`);
    expect(text.stdout).toMatch(/reconcile {2}success at .* \(startup/);
    expect(text.stdout).toMatch(/^RESOURCE\s+STATUS\s+MODE\s+LAST CHANGE\s+LAST ERROR/m);
    // Created, or still rolling out when the first run took its one health read.
    expect(text.stdout).toMatch(/^EcsService\/storefront\s+(create|progressing)\s+enforce\s+\d{4}-/m);
    const json = await cli(['status', '-o', 'json']);
    const sha = running!.controller.revision!.sha;
    expect(json.json()).toMatchObject({ formatVersion: 1, revision: sha, commit: { sha, author: expect.stringContaining('Platform Team') }, lastReconcile: { result: 'success' } });
  });

  it('ballast reconcile --wait runs a reconcile now and reports its result', async () => {
    const before = running!.controller.lastReconcile!.at;
    const run = await cli(['reconcile', '--wait', '-o', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({ triggers: ['operator'], result: 'success' });
    expect(running!.controller.lastReconcile!.at > before).toBe(true);
  });

  it('refuses the operator API without the right bearer token; health, readiness and metrics stay open', async () => {
    for (const token of [null, 'wrong-token']) {
      const status = await cli(['status'], token);
      expect(status.code).toBe(1);
      expect(status.stderr).toContain('controller answered 401');
      expect((await cli(['reconcile'], token)).code).toBe(1);
    }
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`${running!.url}${path}`)).status).toBe(200);
  });
});
