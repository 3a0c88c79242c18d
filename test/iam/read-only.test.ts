import { beforeEach, describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';
import { createNetwork } from '../../src/demo/network.js';
import type { ServiceName } from '../../src/aws/clients.js';
import { PREFIX } from '../support/code-operations.js';
import type { PolicyDocument } from '../../src/iam/document.js';
import { useMoto } from '../support/moto.js';
import { buildShopEstate } from '../support/estate/index.js';
import { runCli } from '../support/cli.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';

const moto = useMoto();

describe('ballast iam-policy --read-only', () => {
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    const aws = moto.aws();
    await buildShopEstate(aws, await createNetwork(aws), (await loadRevision('desired-state')).manifests);
  });

  it('grants every call a plan with changes makes, and nothing that writes', async () => {
    const policy = (await runCli(['iam-policy', 'desired-state', '--read-only'])).json<PolicyDocument>();
    const actions = new Set(policy.Statement.flatMap((s) => s.Action));
    for (const action of actions) expect(action).toMatch(/^[a-z0-9-]+:(Describe|List|Get)/);
    expect(policy.Statement.filter((s) => s.Condition)).toEqual([]);

    const dir = await copyDesiredState();
    await editManifest(dir, 'EcsService/storefront', setField(['spec', 'cpu'], 1024));
    await editManifest(dir, 'EcsService/storefront', setField(['spec', 'memory'], 2048));
    const plan = (await runCli(['plan', dir, '-o', 'json'])).json<{ calls: Record<string, number> }>();
    const made = Object.keys(plan.calls).map((k) => {
      const [service, operation] = k.split(':') as [ServiceName, string];
      return `${PREFIX[service]}:${operation}`;
    });
    expect(made.length).toBeGreaterThan(5);
    for (const action of made) expect(actions, action).toContain(action);
  });
});
