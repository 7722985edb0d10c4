import { InvalidArgumentError, type Command } from 'commander';
import { MAX_PAGE_LIMIT } from './api-types.js';

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

/** The option parser of a list's -n: a page size the API takes. */
export function pageLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_PAGE_LIMIT) {
    throw new InvalidArgumentError(`use a whole number from 1 to ${MAX_PAGE_LIMIT}.`);
  }
  return n;
}
