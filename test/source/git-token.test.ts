import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { simpleGit } from 'simple-git';
import { GitSource } from '../../src/source/git.js';
import { GitHttpServer } from '../support/git-http.js';
import { within } from '../support/wait.js';

const TOKEN = 'ghp_test0123456789abcdefTOKEN';
const USER = 'x-access-token';

let root: string;
let server: GitHttpServer;
let base: string;

/**
 * The command lines of this process's descendants (git and its helpers), as `ps` would show them (NUL-separated
 * arguments joined by spaces). Only descendants: another suite on the same machine may clone with a token in its URL.
 */
async function commandLines(): Promise<string[]> {
  const parents = new Map<number, number>();
  for (const pid of (await readdir('/proc')).filter((p) => /^\d+$/.test(p))) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    // The parent's pid is the second field after the command name, which ends at the last ")".
    if (stat) parents.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
  }
  const descends = (pid: number): boolean => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  };
  const out: string[] = [];
  for (const pid of [...parents.keys()].filter(descends)) {
    const line = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (line) out.push(line.split('\0').join(' ').trim());
  }
  return out;
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'ballast-git-token-'));
  const author = path.join(root, 'author');
  await simpleGit().init(['--bare', '--initial-branch=main', path.join(root, 'estate.git')]);
  await simpleGit().clone(path.join(root, 'estate.git'), author);
  const git = simpleGit(author);
  await git.addConfig('user.name', 'Ada Ops').addConfig('user.email', 'ada@example.com').checkoutLocalBranch('main');
  await git.raw(['commit', '--allow-empty', '-m', 'first estate']);
  await git.push('origin', 'main');
  server = new GitHttpServer(root, { user: USER, token: TOKEN });
  base = await server.start();
});

afterEach(async () => {
  await server.stop();
  await rm(root, { recursive: true, force: true });
});

describe('the Git token', () => {
  const source = (url: string, token?: string) => new GitSource({ url, branch: 'main', path: 'desired-state', workdir: path.join(root, 'clone'), token });

  it('authenticates from the environment: never in a command line of git or its helpers, never in .git/config', async () => {
    const git = source(`${base}/estate.git`, TOKEN);
    const first = await git.sync();
    expect(first.message).toBe('first estate');
    expect(server.authorizations).toContain(`Basic ${Buffer.from(`${USER}:${TOKEN}`).toString('base64')}`);
    const config = await readFile(path.join(root, 'clone', '.git', 'config'), 'utf8');
    expect(config).toContain(`url = ${base}/estate.git`);
    expect(config).not.toContain(TOKEN);

    // A fetch held by the server: git and its HTTP helper are running now; none carries the token in its arguments.
    const held = server.hold();
    const fetching = git.sync();
    await within(held.arrived, 'the held fetch');
    const lines = await commandLines();
    expect(lines.some((l) => /git-remote-https?|remote-https? origin/.test(l))).toBe(true);
    expect(lines.filter((l) => l.includes(TOKEN))).toEqual([]);
    expect(lines.filter((l) => l.includes(Buffer.from(`${USER}:${TOKEN}`).toString('base64')))).toEqual([]);
    held.release();
    expect((await fetching).sha).toBe(first.sha);
  });

  it('takes a password out of the URL and sends it the same way', async () => {
    const url = new URL(`${base}/estate.git`);
    url.username = USER;
    url.password = TOKEN;
    await source(url.href).sync();
    const config = await readFile(path.join(root, 'clone', '.git', 'config'), 'utf8');
    expect(config).not.toContain(TOKEN);
    expect(config).toContain(`url = ${base}/estate.git`);
  });

  it('cleans the token out of a clone that was made with it in its URL', async () => {
    const url = new URL(`${base}/estate.git`);
    url.username = USER;
    url.password = TOKEN;
    // As an older Ballast left it.
    await simpleGit().clone(url.href, path.join(root, 'clone'), ['--branch', 'main']);
    expect(await readFile(path.join(root, 'clone', '.git', 'config'), 'utf8')).toContain(TOKEN);
    await source(`${base}/estate.git`, TOKEN).sync();
    expect(await readFile(path.join(root, 'clone', '.git', 'config'), 'utf8')).not.toContain(TOKEN);
  });

  it('says the remote refused, without the token, when it is missing or wrong', async () => {
    const missing = await source(`${base}/estate.git`).sync().catch((e: Error) => e);
    expect(missing).toBeInstanceOf(Error);
    expect((missing as Error).message).toMatch(/Git remote .*estate\.git is unreachable|Authentication failed|could not read Username/);
    const wrong = await source(`${base}/estate.git`, 'not-the-token').sync().catch((e: Error) => e);
    expect((wrong as Error).message).not.toContain('not-the-token');
    expect((wrong as Error).message).toMatch(/estate\.git/);
  });
});
