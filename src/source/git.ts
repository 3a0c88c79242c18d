import { existsSync } from 'node:fs';
import path from 'node:path';
import { CleanOptions, ResetMode, simpleGit, type SimpleGit } from 'simple-git';

export interface GitSourceOptions {
  url: string;
  branch: string;
  /** Folder inside the repository holding the manifests, e.g. "desired-state". */
  path: string;
  /** Where the local clone lives; Ballast owns it (it is reset and cleaned whenever the branch moved). */
  workdir: string;
  /** HTTPS token (BALLAST_GIT_TOKEN); a password in the URL serves the same way. Either reaches git only through its environment. */
  token?: string;
}

export interface SourceRevision {
  sha: string;
  /** Absolute path of the manifests folder in the clone. */
  dir: string;
  /** Absolute path of the clone (problems are reported relative to it, as paths in the repository). */
  root: string;
  message: string;
  author: string;
  date: string;
}

/** A git process silent this long is killed (a black-holed remote or a credential prompt must not hang the controller). */
const SILENCE_LIMIT_MS = 120_000;

/**
 * git's own HTTP low-speed limit: a transfer under 1 KB/s for 30 s is given up by git itself, helpers included,
 * well before the silence limit; a credential prompt is never shown.
 */
const GIT_ENV = { GIT_HTTP_LOW_SPEED_LIMIT: '1000', GIT_HTTP_LOW_SPEED_TIME: '30', GIT_TERMINAL_PROMPT: '0' };

/** Removes `user:password@` (or a bare token@) from every URL in a text. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1');
}

/**
 * The remote without credentials, and the environment that authenticates to it: an HTTP Authorization header set
 * through GIT_CONFIG_COUNT/KEY/VALUE for that origin only. A token in git's arguments shows in `ps` (for git and each
 * helper it starts) and in a URL it is written to .git/config; in the environment it is visible to the process owner only.
 */
export function credentialsOf(url: string, token?: string): { url: string; env: Record<string, string> } {
  if (!/^https?:\/\//i.test(url)) return { url, env: {} };
  const parsed = new URL(url);
  const user = decodeURIComponent(parsed.username) || 'x-access-token';
  const secret = token ?? decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  if (!secret) return { url: parsed.href, env: {} };
  const header = `Authorization: Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;
  return { url: parsed.href, env: { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `http.${parsed.origin}/.extraHeader`, GIT_CONFIG_VALUE_0: header } };
}

/** Follows one branch of a remote repository in a local clone. */
export class GitSource {
  private readonly workdir: string;
  private readonly dir: string;
  /** The remote URL without credentials: what git's arguments and .git/config get. */
  private readonly url: string;
  private readonly auth: Record<string, string>;
  private git: SimpleGit | undefined;
  private inflight: Promise<SourceRevision> | undefined;
  /** What the work tree was last reset to. */
  private synced: SourceRevision | undefined;

  constructor(private readonly options: GitSourceOptions) {
    // Both end up as git arguments: a leading dash would be read as an option.
    if (options.url.startsWith('-') || options.branch.startsWith('-')) {
      throw new Error('Git URL and branch must not start with "-"');
    }
    ({ url: this.url, env: this.auth } = credentialsOf(options.url, options.token));
    this.workdir = path.resolve(options.workdir);
    this.dir = path.resolve(this.workdir, options.path);
    if (path.relative(this.workdir, this.dir).startsWith('..')) {
      throw new Error(`Manifest path "${options.path}" leaves the repository`);
    }
  }

  /** Brings the clone to the branch head of the remote; concurrent callers share one operation. */
  sync(): Promise<SourceRevision> {
    this.inflight ??= this.update().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async update(): Promise<SourceRevision> {
    const git = (this.git ??= await this.open());
    const { branch } = this.options;
    const tracking = `refs/remotes/origin/${branch}`;
    await this.run('fetch', () => git.fetch(['--no-tags', 'origin', `+refs/heads/${branch}:${tracking}`]));
    const head = (await git.log(['--max-count=1', tracking])).latest;
    if (!head) throw new Error(`Git branch "${branch}" of ${this.url} has no commit`);
    // Most syncs (polls, scans) find the branch where it was: two git processes rather than four, and no walk of a
    // large work tree. The revision already loaded from that tree is the one in force.
    if (head.hash === this.synced?.sha) return this.synced;
    // Until both succeed the tree is at no known commit.
    this.synced = undefined;
    // Reset, never merge: a force-pushed branch is followed as it now is.
    await git.reset(ResetMode.HARD, [tracking]);
    await git.clean([CleanOptions.FORCE, CleanOptions.RECURSIVE, CleanOptions.IGNORED_INCLUDED]);
    this.synced = {
      sha: head.hash,
      dir: this.dir,
      root: this.workdir,
      message: head.message,
      author: `${head.author_name} <${head.author_email}>`,
      date: head.date,
    };
    return this.synced;
  }

  /** Clones on first use; reuses an existing clone only when it is of the configured remote. */
  private async open(): Promise<SimpleGit> {
    const { url } = this;
    const { branch } = this.options;
    if (!existsSync(path.join(this.workdir, '.git'))) {
      // git creates the missing parent folders; a relative local URL is taken from our cwd.
      await this.run('clone', () =>
        gitIn(process.cwd(), this.auth).clone(url, this.workdir, ['--single-branch', '--no-tags', '--branch', branch]),
      );
      return gitIn(this.workdir, this.auth);
    }
    const git = gitIn(this.workdir, this.auth);
    const origin = ((await git.remote(['get-url', 'origin'])) ?? '').trim();
    // The clone is hard-reset and cleaned: refuse to do that to someone else's repository.
    // git records a relative local path joined to its cwd: compare normalized (a URL resolves alike on both sides).
    if (path.resolve(credentialsOf(origin).url) !== path.resolve(url)) {
      throw new Error(`Git workdir ${this.workdir} is a clone of ${redactUrl(origin)}, not of ${url}`);
    }
    // A clone made with the token in its URL (before it moved to the environment) loses it from .git/config.
    if (redactUrl(origin) !== origin) await git.remote(['set-url', 'origin', url]);
    return git;
  }

  /** Runs a network operation and turns its failure into a message that says what is wrong. */
  private async run(action: string, operation: () => Promise<unknown>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      throw await this.explain(action, error);
    }
  }

  private async explain(action: string, error: unknown): Promise<Error> {
    const { url } = this;
    const { branch } = this.options;
    const where = redactUrl(url);
    // A remote that timed out would only time out again on a second call to explain it.
    if ((error as { plugin?: string }).plugin === 'timeout') return new Error(`Git ${action} of ${where} timed out: no answer for ${SILENCE_LIMIT_MS / 1000}s`);
    let heads: string;
    try {
      heads = await gitIn(process.cwd(), this.auth).listRemote([url, `refs/heads/${branch}`]);
    } catch (unreachable) {
      return new Error(`Git remote ${where} is unreachable: ${gitDetail(unreachable)}`);
    }
    if (heads.trim() === '') return new Error(`Git branch "${branch}" not found in ${where}`);
    return new Error(`Git ${action} of ${where} failed: ${gitDetail(error)}`);
  }
}

/**
 * What git needs of our environment (paths, locale, proxies, CA certificates, an SSH agent) and nothing that makes it
 * start a program of someone's choosing (an editor, a pager, an askpass), which simple-git refuses anyway.
 */
const PASSED_TO_GIT = /^(PATH|HOME|USER|LANG|LC_\w+|TMPDIR|TZ|SSH_AUTH_SOCK|SSL_CERT_(FILE|DIR)|GIT_SSL_\w+|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy)$/;

function gitEnvironment(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => PASSED_TO_GIT.test(e[0]) && e[1] !== undefined));
}

function gitIn(baseDir: string, auth: Record<string, string>): SimpleGit {
  // simple-git refuses GIT_CONFIG_COUNT unless told: the only entry is the header built here, nothing from outside.
  const unsafe = { allowUnsafeConfigEnvCount: auth.GIT_CONFIG_COUNT !== undefined };
  return simpleGit({ baseDir, timeout: { block: SILENCE_LIMIT_MS }, unsafe }).env({ ...gitEnvironment(), ...GIT_ENV, ...auth });
}

/** git's own complaint (its fatal/error lines), without credentials. */
function gitDetail(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const lines = text.split('\n').filter((line) => /^(fatal|error):/.test(line));
  return redactUrl((lines.length > 0 ? lines : [text.trim()]).join('; '));
}
