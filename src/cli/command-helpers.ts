import type { Command } from 'commander';

/** Appends an "Examples:" section to a command's --help. */
export function withExamples(command: Command, ...examples: string[]): Command {
  return command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
}

/** The two script-output flags, on every command that prints data. */
export function withOutputFlags(command: Command, quiet = 'print only ids, one per line'): Command {
  return command.option('--json', 'print the API objects as JSON').option('-q, --quiet', quiet);
}

export interface OutputFlags {
  json?: boolean;
  quiet?: boolean;
}

/** Collects a repeatable option's values: `-n a -n b` -> ['a', 'b']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
