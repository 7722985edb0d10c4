/**
 * Secrets typed at the terminal (without echo) or piped in on standard input:
 * API tokens and passwords never go on the command line, where `ps` and the
 * shell's history would keep them.
 */
import { CliError } from './cli-error.js';

/** Standard input's lines (without their line ends); for `--token-stdin`, `--password-stdin`. */
export async function readStdinLines(): Promise<string[]> {
  let text = '';
  for await (const chunk of process.stdin) text += (chunk as Buffer).toString();
  return text.split('\n').map((line) => line.replace(/\r$/, ''));
}

/**
 * Asks on the terminal without echo; `instead` says what to pass when there is
 * no terminal to ask on ("pass --password-stdin").
 */
export function askHidden(question: string, instead: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CliError(`${instead} (there is no terminal to ask on).`);
  }
  return promptHidden(question);
}

/** Asks for a new password twice, without echo; refuses when the two differ. */
export async function askNewPassword(question: string, instead: string): Promise<string> {
  const password = await askHidden(question, instead);
  const again = await askHidden('Repeat it: ', instead);
  if (password !== again) throw new CliError('the two passwords differ; nothing was changed.');
  return password;
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve) => {
    let value = '';
    const finish = () => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (char === '\u0003') {
          finish();
          process.exit(130);
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    input.on('data', onData);
  });
}
