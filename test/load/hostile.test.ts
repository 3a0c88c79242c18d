import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRevision } from '../../src/validate/index.js';
import { RevisionLoader } from '../../src/isolated-load/index.js';
import { FLOW_SEQUENCE } from '../support/hostile.js';


describe('hostile revisions', () => {
  let clone: string;
  let root: string;
  beforeEach(async () => {
    clone = await mkdtemp(path.join(tmpdir(), 'ballast-hostile-'));
    root = path.join(clone, 'desired-state');
    await cp('desired-state', root, { recursive: true });
  });
  afterEach(() => rm(clone, { recursive: true, force: true }));

  it('refuses a revision over its YAML node cap before parsing it, naming the file', async () => {
    for (const n of [1, 2, 3]) await writeFile(path.join(root, `bulk-${n}.yaml`), FLOW_SEQUENCE);
    const revision = await loadRevision(root, { cwd: clone });
    expect(revision.manifests).toEqual([]);
    expect(revision.problems).toEqual([
      // The first file fits under the cap; the second takes the revision over it.
      { file: 'desired-state/bulk-2.yaml', line: 1, col: 1, message: 'revision refused: more than 1000000 YAML nodes (scalars and flow collections) by this file' },
    ]);
  });

  it('refuses a revision over its byte or document cap, and takes the caps it is given', async () => {
    expect((await loadRevision(root, { cwd: clone, limits: { maxRevisionBytes: 10_000 } })).problems[0]?.message).toMatch(
      /^revision refused: its manifests are \d+ bytes, over the 10000-byte limit$/,
    );
    expect((await loadRevision(root, { cwd: clone, limits: { maxDocuments: 5 } })).problems[0]?.message).toBe('revision refused: more than 5 YAML documents by this file');
    // Plain manifests are counted from the values the fast reader made of them.
    expect((await loadRevision(root, { cwd: clone, limits: { maxYamlNodes: 100 } })).problems[0]?.message).toBe(
      'revision refused: more than 100 YAML nodes (scalars and flow collections) by this file',
    );
    expect((await loadRevision(root, { cwd: clone })).problems).toEqual([]);
  });

  it('loads in a worker whose heap limit turns a revision too big for it into a rejected revision, and loads the next one in a new worker', async () => {
    const loader = new RevisionLoader({ memoryMb: 32, timeoutMs: 60_000 });
    try {
      expect((await loader.load(root, { cwd: clone })).problems).toEqual([]);
      await writeFile(path.join(root, 'bulk.yaml'), FLOW_SEQUENCE);
      // With the node cap lifted, only the worker's 32 MB heap stands between this file and the process.
      const refused = await loader.load(root, { cwd: clone, limits: { maxYamlNodes: 10_000_000 } });
      expect(refused).toEqual({ manifests: [], scalars: [], rechecked: [], problems: [{ file: 'desired-state', line: 1, col: 1, message: 'revision refused: loading and validating it needed more than 32 MB' }] });
      await rm(path.join(root, 'bulk.yaml'));
      const good = await loader.load(root, { cwd: clone });
      expect(good.problems).toEqual([]);
      expect(good.manifests.map((m) => `${m.kind}/${m.metadata.name}`)).toContain('EcsService/storefront');
    } finally {
      await loader.close();
    }
  });

  it('refuses every symbolic link, inside or outside the clone, naming the link, and never follows one', async () => {
    await symlink('/etc/hostname', path.join(root, 'outside.yaml'));
    await symlink(path.join(root, 'services'), path.join(root, 'alarms', 'services-again'));
    const revision = await loadRevision(root, { cwd: clone, within: clone });
    expect(revision.manifests).toEqual([]);
    expect(revision.problems.map((p) => `${p.file}: ${p.message}`)).toEqual([
      `desired-state/alarms/services-again: symbolic link (to ${path.join(root, 'services')}): manifests must be files of the repository itself`,
      'desired-state/outside.yaml: symbolic link (to /etc/hostname): manifests must be files of the repository itself',
    ]);
  });

  it('refuses a manifests folder that is itself a link, without walking where it points', async () => {
    await rm(root, { recursive: true });
    await mkdir(path.join(clone, 'estate'));
    await symlink('/', path.join(clone, 'estate', 'desired-state'));
    const revision = await loadRevision(path.join(clone, 'estate', 'desired-state'), { cwd: clone, within: clone });
    expect(revision.problems).toEqual([
      { file: 'estate/desired-state', line: 1, col: 1, message: 'symbolic link (to /): manifests must be files of the repository itself' },
    ]);
    await rm(path.join(clone, 'estate'), { recursive: true });
    await symlink('/', path.join(clone, 'estate'));
    expect((await loadRevision(path.join(clone, 'estate', 'desired-state'), { cwd: clone, within: clone })).problems[0]?.file).toBe('estate');
  });
});
