import { beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { simpleGit } from 'simple-git';
import type { Aws } from '../../src/aws/clients.js';
import { loadRevision } from '../../src/validate/index.js';
import { createNetwork } from '../../src/demo/network.js';
import { useMoto } from '../support/moto.js';
import { buildShopEstate } from '../support/estate/index.js';
import { runCli } from '../support/cli.js';
import { HAND_CHANGES } from '../support/hand-changes.js';
import { copyDesiredState, editManifest, setField } from '../support/manifests.js';

const moto = useMoto();

interface Entry {
  key: string;
  status: string;
  fields: { path: string; live: unknown; desired: unknown }[];
}
interface PlanDocument {
  formatVersion: number;
  ballastVersion: string;
  revision: string | null;
  timestamp: string;
  errored: boolean;
  hasChanges: boolean;
  changes: Entry[];
  drift: Entry[];
}

describe('JSON documents tools can rely on', () => {
  let aws: Aws;
  beforeEach(async () => {
    process.env.AWS_ENDPOINT_URL = moto.endpoint;
    aws = moto.aws();
  });

  it('carries format, version, revision and time; keeps drift made outside Git apart from changes', async () => {
    const net = await createNetwork(aws);
    await buildShopEstate(aws, net, (await loadRevision('desired-state')).manifests);
    const hand = HAND_CHANGES[0]!;
    await hand.change(aws);
    const before = Date.now();
    for (const command of ['plan', 'drift']) {
      const run = await runCli([command, 'desired-state', '-o', 'json']);
      const doc = run.json<PlanDocument>();
      expect(doc.formatVersion).toBe(1);
      expect(doc.ballastVersion).toBe((JSON.parse(await readFile('package.json', 'utf8')) as { version: string }).version);
      expect(doc.revision).toBe((await simpleGit().revparse(['HEAD'])).trim());
      expect(Date.parse(doc.timestamp)).toBeGreaterThanOrEqual(before - 1000);
      expect(doc.errored).toBe(false);
      expect(doc.hasChanges).toBe(true);
      expect(doc.changes).toEqual([]);
      expect(doc.drift).toEqual([expect.objectContaining({ key: hand.drift.key, status: 'update', fields: [expect.objectContaining({ path: hand.drift.path, live: hand.drift.live, desired: hand.drift.desired })] })]);
    }
  });

  it('lists creations under changes, and says errored when a resource could not be planned', async () => {
    await createNetwork(aws);
    const dir = await copyDesiredState();
    await editManifest(dir, 'EcsService/worker', setField(['spec', 'network', 'subnets'], ['no-such-subnet-a', 'no-such-subnet-b']));
    const run = await runCli(['plan', dir, '-o', 'json']);
    expect(run.code).toBe(1);
    const doc = run.json<PlanDocument>();
    expect(doc.revision).toBeNull();
    expect(doc.errored, run.stdout.slice(0, 600) + run.stderr).toBe(true);
    expect(doc.drift).toEqual([]);
    expect(doc.changes.map((c) => c.key)).toEqual(expect.arrayContaining(['EcsService/storefront', 'DbInstance/shop-db']));
    expect(doc.changes.every((c) => c.status === 'create')).toBe(true);
  });

  it('gives an invalid revision as {valid: false, problems} with the same envelope', async () => {
    const dir = await copyDesiredState();
    await editManifest(dir, 'EcsService/storefront', setField(['spec', 'cpu'], 300));
    const run = await runCli(['plan', dir, '-o', 'json']);
    expect(run.code).toBe(1);
    expect(run.json()).toMatchObject({ formatVersion: 1, valid: false, problems: [expect.objectContaining({ subject: 'EcsService/storefront' })] });
  });
});
