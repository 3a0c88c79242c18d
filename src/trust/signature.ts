import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { simpleGit } from 'simple-git';

const exec = promisify(execFile);

/** Who may sign the commits the controller applies. Off when neither file is set. */
export interface TrustSettings {
  /** SSH public keys, in git's `gpg.ssh.allowedSignersFile` format (`principal key-type key`). */
  allowedSigners?: string;
  /** OpenPGP public keys (an exported keyring, armored or binary). */
  gpgKeyring?: string;
}

export type Verdict =
  | { trusted: true; signer: string; committer: string }
  | { trusted: false; reason: string; committer: string };

/** What `%G?` means, in the words a reviewer of a refused commit needs. */
const STATUS: Record<string, string> = {
  N: 'the commit is not signed',
  B: 'the signature is bad (the commit was changed after signing)',
  U: 'signed by a key that is not in the allowed signers',
  E: 'signed by a key that is not in the allowed signers or keyring',
  X: 'the signature has expired',
  Y: 'signed by an expired key',
  R: 'signed by a revoked key',
};

const SHA = /^[0-9a-f]{40}([0-9a-f]{24})?$/;

/**
 * Checks that a commit is signed by an allowed key with `git verify-commit`. The key files are handed to git as
 * configuration values of one argument each, never through a shell; OpenPGP keys go into a private GNUPGHOME so the
 * keys of the user running Ballast are never trusted by accident.
 */
export class CommitVerifier {
  private gnupgHome?: Promise<string>;

  constructor(private readonly settings: TrustSettings) {}

  static from(settings: TrustSettings): CommitVerifier | undefined {
    return settings.allowedSigners || settings.gpgKeyring ? new CommitVerifier(settings) : undefined;
  }

  /** The policy in words, for the start-up log line. */
  describe(): string {
    const parts = [];
    if (this.settings.allowedSigners) parts.push(`SSH keys in ${this.settings.allowedSigners}`);
    if (this.settings.gpgKeyring) parts.push(`OpenPGP keys in ${this.settings.gpgKeyring}`);
    return parts.join(' or ');
  }

  async verify(repo: string, sha: string): Promise<Verdict> {
    if (!SHA.test(sha)) throw new Error(`not a commit id: ${JSON.stringify(sha)}`);
    const git = await this.git(repo);
    const [status = 'N', signer = '', committer = ''] = (await git.raw(['log', '-1', '--format=%G?%x00%GS%x00%cn <%ce>', sha])).trim().split('\0');
    // git decides; %G? only explains. verify-commit fails on anything but a good signature by an allowed key (an
    // OpenPGP key of the keyring shows as U, "validity unknown", and passes; an SSH key outside the file fails).
    const good = await git.raw(['verify-commit', sha]).then(
      () => true,
      () => false,
    );
    if (good && (status === 'G' || status === 'U')) return { trusted: true, signer: signer || 'unknown principal', committer };
    return { trusted: false, reason: STATUS[status] ?? `signature not accepted (git status ${status})`, committer };
  }

  /** Fails at start-up, not at the first commit, when a key file cannot be read. */
  async check(): Promise<void> {
    for (const file of [this.settings.allowedSigners, this.settings.gpgKeyring]) {
      if (file) await access(file, constants.R_OK).catch(() => Promise.reject(new Error(`cannot read ${file}`)));
    }
    await this.keyring();
  }

  /** Removes the private GNUPGHOME. */
  async close(): Promise<void> {
    if (this.gnupgHome) await rm(await this.gnupgHome, { recursive: true, force: true });
  }

  private async git(repo: string) {
    const config = [
      // An empty allowed-signers file trusts no SSH key: without it git would fail to verify any SSH signature alike.
      `gpg.ssh.allowedSignersFile=${this.settings.allowedSigners ? path.resolve(this.settings.allowedSigners) : '/dev/null'}`,
    ];
    const git = simpleGit({ baseDir: repo, config });
    // Only what git and its signature programs need: simple-git refuses an environment that could run an editor or pager.
    const env: Record<string, string> = { GNUPGHOME: await this.keyring(), LC_ALL: 'C' };
    for (const name of ['PATH', 'HOME']) if (process.env[name]) env[name] = process.env[name];
    return git.env(env);
  }

  /** A GNUPGHOME holding only the configured OpenPGP keys (empty when none are configured). */
  private keyring(): Promise<string> {
    this.gnupgHome ??= (async () => {
      const home = await mkdtemp(path.join(tmpdir(), 'ballast-gnupg-'));
      if (this.settings.gpgKeyring) {
        await exec('gpg', ['--batch', '--quiet', '--homedir', home, '--import', path.resolve(this.settings.gpgKeyring)]).catch((err: Error) => {
          throw new Error(`cannot read the OpenPGP keyring ${this.settings.gpgKeyring}: ${err.message.split('\n')[1] ?? err.message}`);
        });
      }
      return home;
    })();
    return this.gnupgHome;
  }
}
