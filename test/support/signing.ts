import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** An SSH signing key made with ssh-keygen in `dir`: `file` is the private key git signs with. */
export interface SshKey {
  file: string;
  publicKey: string;
}

export async function sshKey(dir: string, name: string): Promise<SshKey> {
  const file = path.join(dir, name);
  await exec('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  const { stdout } = await exec('ssh-keygen', ['-y', '-f', file]);
  return { file, publicKey: stdout.trim() };
}

/** Writes git's allowed signers file: one `principal key` line per key. */
export async function allowedSigners(file: string, entries: [principal: string, key: SshKey][]): Promise<string> {
  await writeFile(file, entries.map(([who, key]) => `${who} ${key.publicKey}\n`).join(''));
  return file;
}

/** Git options for one commit signed with an SSH key (`git -c … commit -S`). */
export function signedWith(key: SshKey): string[] {
  return ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${key.file}`];
}
