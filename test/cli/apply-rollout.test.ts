import { beforeEach, describe, expect, it } from 'vitest';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';
import { runCli } from '../support/cli.js';

const moto = useMoto();
const image = (tag: string) => setField(['spec', 'containers', 0, 'image'], `public.ecr.aws/shop/storefront:${tag}`);

describe('ballast apply and ECS rollouts', () => {
  let dir: string;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    dir = await copyDesiredState();
    expect((await runCli(['apply', dir, '--yes', '--poll-interval', '0.1'])).code).toBe(0);
    // From here each ECS deployment takes 3 s, starting tasks along the way, as ECS does over minutes.
    await moto.setRolloutSeconds(3);
  });

  it('waits for a rollout to complete and reports its progress while it waits', async () => {
    await editManifest(dir, 'EcsService/storefront', image('1.43.0'));
    const started = Date.now();
    const run = await runCli(['apply', dir, '--yes', '--poll-interval', '0.1']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    const storefront = run.stderr.split('\n').filter((l) => l.startsWith('health  EcsService/storefront: '));
    // storefront runs 3 tasks: the wait saw them start one by one before calling the service steady.
    expect(storefront[0]).toContain('rollout in progress, 0/3 tasks running');
    expect(storefront.some((l) => /rollout in progress, [12]\/3 tasks running/.test(l))).toBe(true);
    expect(storefront.at(-1)).toBe('health  EcsService/storefront: steady');
    expect(run.stdout).toContain('Apply converged');
  });

  it('ends the wait as soon as the circuit breaker fails a broken image, with the service events, and exits 1', async () => {
    await editManifest(dir, 'EcsService/storefront', image('broken'));
    const started = Date.now();
    const run = await runCli(['apply', dir, '--yes', '--poll-interval', '0.1', '--ecs-timeout', '60']);
    expect(run.code).toBe(1);
    // Failed after one rollout time, not after the 60 s timeout.
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(run.stdout).toMatch(/unhealthy EcsService\/storefront: rollout failed \(rolled back to .*storefront:1\): .*tasks failed to start/);
    expect(run.stdout).toMatch(/\(service storefront\) rolling back to deployment ecs-svc\/\d+\./);
    expect(run.stdout).toContain('Apply did not converge');
  });

  it('says every interval what it still waits for and for how long, and sums up when interrupted (exit 130)', async () => {
    await editManifest(dir, 'EcsService/storefront', image('1.43.0'));
    // A rollout long enough to be interrupted in the middle.
    await moto.setRolloutSeconds(120);
    const interrupt = new AbortController();
    let stderr = '';
    const waiting = /^still waiting for EcsService\/storefront \[\d+s elapsed\]: rollout in progress, \d\/3 tasks running$/m;
    const run = await runCli(['apply', dir, '--yes', '--poll-interval', '0.1', '--progress-interval', '0.5'], {
      interrupt: interrupt.signal,
      stderr: (t) => {
        stderr += t;
        // Ctrl-C once the person has seen a progress line.
        if (waiting.test(stderr)) interrupt.abort();
      },
    });
    expect(run.code, run.stdout + stderr).toBe(130);
    expect(stderr).toContain('interrupted: the call in flight finishes, nothing new starts');
    expect(run.stdout).toContain('Apply interrupted: calls already sent stay sent');
    expect(run.stdout).toMatch(/still settling at AWS: EcsService\/storefront: rollout in progress, \d\/3 tasks running/);
  });
});
