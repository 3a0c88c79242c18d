import { beforeEach, describe, expect, it } from 'vitest';
import { useMoto } from '../support/moto.js';
import { createNetwork } from '../../src/demo/network.js';
import { runCli } from '../support/cli.js';

const moto = useMoto();

describe('ballast apply health waits', () => {
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    await createNetwork(moto.aws());
    // Rollouts here take an hour, so every ECS rollout stays IN_PROGRESS for the test.
    await moto.setRolloutSeconds(3600);
  });

  it('gives up on a rollout that does not complete within the timeout, says why and exits 1', async () => {
    const run = await runCli(['apply', 'desired-state', '--yes', '--ecs-timeout', '0.3', '--poll-interval', '0.05']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/unhealthy EcsService\/storefront: not healthy after 0\.3s: .*0\/3/);
    expect(run.stdout).toContain('Apply did not converge');
    // Progress went to stderr while it waited.
    expect(run.stderr).toMatch(/health {2}EcsService\/storefront: /);
  });
});
