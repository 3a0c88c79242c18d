import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

/** What bash offers after `words` (the last one being completed), with the script `ballast completion bash` printed. */
async function complete(script: string, words: string[]): Promise<string[]> {
  const file = path.join(await tempDir('completion'), 'ballast.bash');
  await writeFile(file, script);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  // --norc: a `bash -c` whose stdin is a socket (Node's pipes are) takes itself for a remote shell and, when SHLVL is
  // unset or 0, reads ~/.bashrc first, which on a developer's machine can take seconds (pyenv, nvm).
  const run = spawnSync('bash', ['--norc', '-c', `source "${file}"; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _ballast; printf '%s\\n' "\${COMPREPLY[@]}"`], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  return run.stdout.split('\n').filter(Boolean);
}

describe('ballast completion', () => {
  it('completes commands, subcommands, arguments and each command\'s own options in bash', async () => {
    const bash = await runCli(['completion', 'bash']);
    expect(bash.code).toBe(0);
    expect(await complete(bash.stdout, ['ballast', 're'])).toEqual(['reconcile', 'resume']);
    expect(await complete(bash.stdout, ['ballast', 'suspend', 'EcsService/storefront', '--'])).toEqual(['--for', '--reason', '--controller', '--output', '--help']);
    expect(await complete(bash.stdout, ['ballast', 'drill', ''])).toEqual(['run', '--help']);
    expect(await complete(bash.stdout, ['ballast', 'drill', 'run', 'weekly', '--po'])).toEqual(['--poll-interval']);
    expect(await complete(bash.stdout, ['ballast', 'plan', '--output', 'json', '--det'])).toEqual(['--detailed-exitcode']);
    expect(await complete(bash.stdout, ['ballast', 'completion', 'z'])).toEqual(['zsh']);
  });

  it('gives zsh the same function through bashcompinit, and refuses other shells', async () => {
    const zsh = await runCli(['completion', 'zsh']);
    expect(zsh.stdout).toMatch(/^autoload -U \+X compinit && compinit\nautoload -U \+X bashcompinit && bashcompinit\n_ballast\(\) \{/);
    expect(zsh.stdout).toContain('complete -F _ballast ballast');
    const fish = await runCli(['completion', 'fish']);
    expect(fish.code).toBe(1);
    expect(fish.stderr).toContain("'fish' is invalid for argument 'shell'. Allowed choices are bash, zsh.");
  });
});
