import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { createRepo, removeRepo, type TestRepo } from '../support/git.js';
import { ControllerProcess } from '../support/controller-process.js';
import { SlackReceiver } from '../support/slack.js';
import { FLOW_SEQUENCE } from '../support/hostile.js';

const moto = useMoto();

describe('a hostile revision pushed to the watched branch', () => {
  let repo: TestRepo;
  let slack: SlackReceiver;
  let controller: ControllerProcess | undefined;

  beforeEach(async () => {
    await createNetwork(moto.aws());
    repo = await createRepo();
    slack = new SlackReceiver();
  });
  afterEach(async () => {
    await controller?.kill();
    await slack.stop();
    await removeRepo(repo);
  });

  it('is rejected by a controller with a 256 MB heap, which keeps answering and keeps the last good revision', async () => {
    controller = await ControllerProcess.start(
      { AWS_ENDPOINT_URL: moto.endpoint, BALLAST_REPO_URL: repo.url, BALLAST_SLACK_WEBHOOK_URL: await slack.start(), BALLAST_POLL_INTERVAL: '1' },
      { nodeOptions: ['--max-old-space-size=256'] },
    );
    const first = await controller.waitFor((l) => l.msg === 'reconcile finished', 60_000);
    expect(first.result).toBe('success');
    const good = first.revision;
    const before = slack.messages.length;

    for (const n of [1, 2, 3]) await writeFile(path.join(repo.work, 'desired-state', `bulk-${n}.yaml`), FLOW_SEQUENCE);
    const bad = await repo.push('three flow sequences of a megabyte each');
    // While the controller fetches and loads it, /healthz keeps answering within a second.
    const rejected = controller.waitFor((l) => l.msg === 'invalid revision rejected: keeping the last good one', 60_000);
    let answered = 0;
    for (let settled = false; !settled; ) {
      const asked = Date.now();
      const res = await fetch(`${controller.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      expect(res.status).toBe(200);
      expect(Date.now() - asked).toBeLessThan(1_000);
      answered++;
      settled = await Promise.race([rejected.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 100))]);
    }
    expect(answered).toBeGreaterThan(0);
    expect((await rejected).revision).toBe(bad);

    const status = (await (await fetch(`${controller.url}/status`)).json()) as { revision: { sha: string }; rejectedRevision: { sha: string; problems: { file: string; message: string }[] } };
    expect(status.revision.sha).toBe(good);
    expect(status.rejectedRevision).toEqual({
      sha: bad,
      problems: [{ file: 'desired-state/bulk-2.yaml', line: 1, col: 1, message: 'revision refused: more than 1000000 YAML nodes (scalars and flow collections) by this file' }],
    });
    await slack.received(before + 1);
    expect(slack.texts().slice(before).filter((t) => t.includes('Invalid revision'))).toHaveLength(1);
    expect(controller.child.exitCode).toBeNull();
  }, 180_000);
});
