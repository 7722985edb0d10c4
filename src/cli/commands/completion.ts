/**
 * `hoist completion bash|zsh`: a static completion script written from the
 * command tree, so it always matches the commands this hoist has. It
 * completes subcommands (and their aliases), options, and the values of
 * options and arguments that have a fixed set of choices; the path typed so
 * far is found by walking the words that name subcommands.
 */
import { Argument, type Command } from 'commander';
import { withExamples } from '../command-helpers.js';
import { out } from '../output.js';

export function registerCompletionCommand(program: Command): void {
  withExamples(
    program
      .command('completion')
      .description('Print a shell completion script for bash or zsh')
      .addArgument(new Argument('<SHELL>', 'bash or zsh').choices(['bash', 'zsh'])),
    'source <(hoist completion bash)           # now, in this shell',
    'hoist completion bash > ~/.local/share/bash-completion/completions/hoist',
    'hoist completion zsh > "${fpath[1]}/_hoist"   # then start a new shell',
  ).action((shell: 'bash' | 'zsh') => {
    out(shell === 'bash' ? bashScript(program) : zshScript(program));
  });
}

interface Node {
  /** "" for the program, then "service", "service ls", ... (canonical names, no aliases). */
  path: string;
  /** Every name a subcommand answers to, with the path it leads to. */
  steps: { word: string; path: string }[];
  words: string[];
  options: string[];
  /** Option flag -> the values it accepts. */
  values: Map<string, string[]>;
}

function walk(program: Command): Node[] {
  const help = program.createHelp();
  const nodes: Node[] = [];
  const visit = (command: Command, path: string) => {
    const subcommands = help.visibleCommands(command);
    const steps = subcommands.flatMap((sub) => {
      const subPath = [path, sub.name()].filter(Boolean).join(' ');
      return [sub.name(), ...sub.aliases()].map((word) => ({ word, path: subPath }));
    });
    const options = help.visibleOptions(command);
    const values = new Map<string, string[]>();
    for (const option of options) {
      const choices = option.argChoices;
      if (!choices) continue;
      for (const flag of [option.short, option.long]) if (flag) values.set(flag, choices);
    }
    const argumentChoices = command.registeredArguments.flatMap((a) => a.argChoices ?? []);
    nodes.push({
      path,
      steps,
      words: [...steps.map((s) => s.word), ...argumentChoices],
      options: options.flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f))),
      values,
    });
    for (const sub of command.commands) {
      visit(sub, [path, sub.name()].filter(Boolean).join(' '));
    }
  };
  visit(program, '');
  return nodes;
}

/** The helper functions both shells share: plain POSIX-ish `case` tables. */
function tables(program: Command): string {
  const nodes = walk(program);
  const caseLines = (entries: [string, string][]) =>
    entries.map(([pattern, value]) => `    ${pattern}) REPLY="${value}" ;;`).join('\n');
  const steps = nodes.flatMap((n) =>
    n.steps.map((s): [string, string] => [`"${n.path}|${s.word}"`, s.path]),
  );
  const words = nodes
    .filter((n) => n.words.length > 0)
    .map((n): [string, string] => [`"${n.path}"`, n.words.join(' ')]);
  const options = nodes.map((n): [string, string] => [`"${n.path}"`, n.options.join(' ')]);
  const values = nodes.flatMap((n) =>
    [...n.values].map(([flag, choices]): [string, string] => [
      `"${n.path}|${flag}"`,
      choices.join(' '),
    ]),
  );
  return `_hoist_step() {
  case "$1|$2" in
${caseLines(steps)}
    *) return 1 ;;
  esac
}

_hoist_words() {
  case "$1" in
${caseLines(words)}
    *) REPLY="" ;;
  esac
}

_hoist_options() {
  case "$1" in
${caseLines(options)}
    *) REPLY="--help" ;;
  esac
}

_hoist_values() {
  case "$1|$2" in
${caseLines(values)}
    *) return 1 ;;
  esac
}`;
}

function bashScript(program: Command): string {
  return `# bash completion for hoist. Load it with:
#   source <(hoist completion bash)
# or save it as ~/.local/share/bash-completion/completions/hoist

${tables(program)}

_hoist() {
  local cur prev cmdpath="" i w REPLY=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    if _hoist_step "$cmdpath" "$w"; then cmdpath="$REPLY"; fi
  done
  REPLY=""
  if ! _hoist_values "$cmdpath" "$prev"; then
    if [[ "$cur" == -* ]]; then _hoist_options "$cmdpath"; else _hoist_words "$cmdpath"; fi
  fi
  COMPREPLY=($(compgen -W "$REPLY" -- "$cur"))
}

complete -F _hoist hoist`;
}

function zshScript(program: Command): string {
  return `#compdef hoist
# zsh completion for hoist. Load it with:
#   source <(hoist completion zsh)        (after compinit)
# or save it as _hoist in a directory of your $fpath.
compdef _hoist hoist

${tables(program)}

_hoist() {
  local cur prev cmdpath="" i w REPLY=""
  cur="\${words[CURRENT]}"
  prev="\${words[CURRENT-1]}"
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    [[ "$w" == -* ]] && continue
    if _hoist_step "$cmdpath" "$w"; then cmdpath="$REPLY"; fi
  done
  REPLY=""
  if ! _hoist_values "$cmdpath" "$prev"; then
    if [[ "$cur" == -* ]]; then _hoist_options "$cmdpath"; else _hoist_words "$cmdpath"; fi
  fi
  compadd -- \${=REPLY}
}

if [ "$funcstack[1]" = "_hoist" ]; then
  _hoist "$@"
fi`;
}
