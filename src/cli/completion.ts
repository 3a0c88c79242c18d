import type { Command } from 'commander';
import type { Io } from './io.js';

/** Every command path (`drill run`) with the words that may follow it: subcommands, argument choices, long options. */
function paths(command: Command, prefix: string[] = []): [string, string[]][] {
  const words = [
    ...command.commands.map((c) => c.name()),
    ...command.registeredArguments.flatMap((a) => a.argChoices ?? []),
    ...command.options.flatMap((o) => (o.long ? [o.long] : [])),
    '--help',
  ];
  return [[prefix.join(' '), words], ...command.commands.flatMap((c) => paths(c, [...prefix, c.name()]))];
}

/**
 * A bash completion function built from the program itself, so it never lags behind a new command or option. The
 * words typed so far that are not options name the command path; the longest known path wins (`drill run` before
 * `drill`). zsh runs the same function through bashcompinit.
 */
export function bashCompletion(program: Command): string {
  const cases = paths(program)
    .filter(([path]) => path !== '')
    .sort(([a], [b]) => b.length - a.length)
    .map(([path, words]) => `    "${path}"|"${path} "*) words="${words.join(' ')}" ;;`);
  const top = paths(program)[0]![1].join(' ');
  return `_ballast() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" word words
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) path="\${path:+$path }$word" ;; esac
  done
  case "$path" in
${cases.join('\n')}
    *) words="${top}" ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  # Arguments that are paths (manifest folders, files) complete as files.
  [ \${#COMPREPLY[@]} -eq 0 ] && [ "\${cur#-}" = "$cur" ] && COMPREPLY=($(compgen -f -- "$cur"))
  return 0
}
complete -F _ballast ballast
`;
}

export function completionCommand(shell: 'bash' | 'zsh', program: Command, io: Io): number {
  const script = bashCompletion(program);
  io.stdout(shell === 'zsh' ? `autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n${script}` : script);
  return 0;
}
