import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { estateManifests, writeEstate, type EstateShape } from '../../bench/estate/generate.js';
import { RevisionLoader, type IsolatedRevision } from '../../src/isolated-load/index.js';

/** 1,600 manifests: enough that reading every file again would show beside reading one. */
const SHAPE: EstateShape = { clusters: 4, servicesPerCluster: 100, dbs: 10, alarmsPerService: 2, dashboards: 2 };

describe("the controller's revision loader", () => {
  let dir: string;
  let loader: RevisionLoader;
  beforeEach(async () => {
    dir = await writeEstate(SHAPE);
    loader = new RevisionLoader();
  });
  afterEach(async () => {
    await loader.close();
    await rm(dir, { recursive: true, force: true });
  });

  const load = () => loader.load(dir, { cwd: dir });
  const spec = (r: IsolatedRevision, key: string) => r.manifests.find((m) => `${m.kind}/${m.metadata.name}` === key)?.spec as Record<string, unknown> | undefined;
  const edit = async (file: string, from: string, to: string) => {
    const text = await readFile(path.join(dir, file), 'utf8');
    expect(text).toContain(from);
    await writeFile(path.join(dir, file), text.replace(from, to));
  };

  it('checks a one-file commit by that file alone, and the references of the whole revision still', async () => {
    const original = await readFile(path.join(dir, 'services/svc-0-000.yaml'), 'utf8');
    const first = await load();
    expect(first.problems).toEqual([]);
    expect(first.manifests).toHaveLength(estateManifests(SHAPE).length);

    await edit('services/svc-0-000.yaml', 'memory: 512', 'memory: 1024');
    const second = await load();
    expect(second.problems).toEqual([]);
    expect(spec(second, 'EcsService/svc-0-000')?.memory).toBe(1024);
    expect(second.manifests).toHaveLength(first.manifests.length);
    expect(second.scalars).toHaveLength(first.scalars.length);
    // Every other file is taken as it was read.
    expect(first.rechecked).toHaveLength(first.manifests.length);
    expect(second.rechecked).toEqual(['services/svc-0-000.yaml']);

    await edit('services/svc-0-000.yaml', 'cpu: 256', 'cpu: 300');
    const invalid = await load();
    expect(invalid.manifests).toEqual([]);
    expect(invalid.problems).toHaveLength(1);
    expect(invalid.problems[0]).toMatchObject({ file: 'services/svc-0-000.yaml', subject: 'EcsService/svc-0-000', message: expect.stringMatching(/^spec\.cpu: 300 is not a Fargate CPU size/) });

    // The service gone, the unchanged files that name it are errors: the cross-file checks see the whole revision.
    await unlink(path.join(dir, 'services/svc-0-000.yaml'));
    const dangling = await load();
    expect(dangling.problems.map((p) => p.file)).toEqual(expect.arrayContaining(['autoscaling/svc-0-000.yaml', 'alarms/svc-0-000-0.yaml']));
    expect(dangling.problems.every((p) => /svc-0-000/.test(p.message))).toBe(true);

    // Back as it was: the same revision as the first, though the worker was last sent a rejected one.
    await writeFile(path.join(dir, 'services/svc-0-000.yaml'), original);
    const restored = await load();
    expect(restored.rechecked).toEqual(['services/svc-0-000.yaml']);
    expect(restored.manifests).toEqual(first.manifests);
    expect(restored.scalars).toEqual(first.scalars);
  });
});
