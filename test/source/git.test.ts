import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simpleGit, type SimpleGit } from 'simple-git';
import { GitSource, redactUrl } from '../../src/source/git.js';

let root: string;
let remote: string;
let author: SimpleGit;
let authorDir: string;

/** Commits one file under desired-state/ in the author's clone and returns the new sha. */
async function commit(file: string, content: string, message: string): Promise<string> {
  await mkdir(path.join(authorDir, 'desired-state'), { recursive: true });
  await writeFile(path.join(authorDir, 'desired-state', file), content);
  await author.add('.');
  await author.commit(message);
  return (await author.revparse(['HEAD'])).trim();
}

function source(overrides: Partial<ConstructorParameters<typeof GitSource>[0]> = {}): GitSource {
  return new GitSource({ url: remote, branch: 'main', path: 'desired-state', workdir: path.join(root, 'clone'), ...overrides });
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ballast-git-'));
  remote = path.join(root, 'remote.git');
  authorDir = path.join(root, 'author');
  await simpleGit().init(['--bare', '--initial-branch=main', remote]);
  await simpleGit().clone(remote, authorDir);
  author = simpleGit(authorDir);
  await author.addConfig('user.name', 'Ada Ops').addConfig('user.email', 'ada@example.com');
  await author.checkoutLocalBranch('main');
  await commit('app.yaml', 'kind: EcsService\n', 'first estate');
  await author.push('origin', 'main');
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('GitSource', () => {
  it('clones the branch and returns its head with the manifests folder', async () => {
    const head = (await author.revparse(['HEAD'])).trim();
    const revision = await source().sync();
    expect(revision).toMatchObject({ sha: head, message: 'first estate', author: 'Ada Ops <ada@example.com>' });
    expect(revision.dir).toBe(path.join(root, 'clone', 'desired-state'));
    expect(revision.root).toBe(path.join(root, 'clone'));
    expect(Number.isNaN(Date.parse(revision.date))).toBe(false);
    expect(await readFile(path.join(revision.dir, 'app.yaml'), 'utf8')).toBe('kind: EcsService\n');
  });

  it('sees a new push on the next sync and keeps the sha when nothing changed', async () => {
    const git = source();
    const first = await git.sync();
    expect((await git.sync()).sha).toBe(first.sha);

    const second = await commit('alarm.yaml', 'kind: Alarm\n', 'add alarm');
    await author.push('origin', 'main');
    // A file left in the clone goes with the next reset, when the branch moves.
    await writeFile(path.join(first.dir, 'stray.yaml'), 'kind: Stray\n');
    const revision = await git.sync();
    expect(revision.sha).toBe(second);
    expect((await readdir(revision.dir)).sort()).toEqual(['alarm.yaml', 'app.yaml']);
  });

  it('follows a force-push of rewritten history instead of merging it', async () => {
    const git = source();
    await commit('bad.yaml', 'kind: Broken\n', 'bad change');
    await author.push('origin', 'main');
    expect(await readdir((await git.sync()).dir)).toContain('bad.yaml');

    await author.reset(['--hard', 'HEAD~1']);
    const rewritten = await commit('good.yaml', 'kind: Alarm\n', 'good change');
    await author.push('origin', 'main', ['--force']);
    const revision = await git.sync();
    expect(revision.sha).toBe(rewritten);
    expect((await readdir(revision.dir)).sort()).toEqual(['app.yaml', 'good.yaml']);
    expect(await simpleGit(path.join(root, 'clone')).status()).toMatchObject({ files: [] });
  });

  it('says the branch is missing when it is deleted from the remote after the clone', async () => {
    const git = source();
    await git.sync();
    await simpleGit(remote).raw(['update-ref', '-d', 'refs/heads/main']);
    await expect(git.sync()).rejects.toThrow(`Git branch "main" not found in ${remote}`);
  });

  it('rejects a branch that does not exist with a message naming it', async () => {
    await expect(source({ branch: 'nope' }).sync()).rejects.toThrow(`Git branch "nope" not found in ${remote}`);
  });

  it('rejects an unreachable remote with a message naming it', async () => {
    const missing = path.join(root, 'nowhere.git');
    await expect(source({ url: missing }).sync()).rejects.toThrow(`Git remote ${missing} is unreachable: fatal:`);
  });

  it('keeps credentials out of the error message', async () => {
    const url = 'http://ops:s3cret@127.0.0.1:1/estate.git';
    const error = await source({ url }).sync().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('Git remote http://127.0.0.1:1/estate.git is unreachable');
    expect((error as Error).message).not.toMatch(/s3cret|ops:/);
  });

  it('shares one operation between concurrent syncs', async () => {
    const git = source();
    const [a, b] = [git.sync(), git.sync()];
    expect(a).toBe(b);
    expect((await a).sha).toBe((await b).sha);
  });

  it('reuses its clone after a restart, also when the remote is a relative path', async () => {
    const options = { url: path.relative(process.cwd(), remote), workdir: path.join(root, 'state', 'clone') };
    const first = await source(options).sync();
    const second = await commit('alarm.yaml', 'kind: Alarm\n', 'add alarm');
    await author.push('origin', 'main');
    const restarted = await source(options).sync();
    expect(restarted).toMatchObject({ sha: second, dir: first.dir });
  });

  it('refuses a workdir that is a clone of another repository', async () => {
    await expect(source({ workdir: authorDir, url: path.join(root, 'other.git') }).sync()).rejects.toThrow(
      /is a clone of .*remote\.git, not of .*other\.git/,
    );
  });

  it('refuses a manifest path outside the repository', () => {
    expect(() => source({ path: '../elsewhere' })).toThrow('leaves the repository');
  });
});

describe('redactUrl', () => {
  it('strips user and password from URLs in text', () => {
    expect(redactUrl("fatal: unable to access 'https://bot:ghp_x@github.com/o/r.git/'")).toBe(
      "fatal: unable to access 'https://github.com/o/r.git/'",
    );
    expect(redactUrl('https://github.com/o/r.git')).toBe('https://github.com/o/r.git');
  });
});
