import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { ApiError, CliError } from '../cli-error.js';
import { configPath, normalizeUrl, removeLogin, saveLogin } from '../cli-config.js';
import { withExamples } from '../command-helpers.js';
import { err, out } from '../output.js';

export function registerLoginCommands(program: Command): void {
  withExamples(
    program
      .command('login')
      .description(
        `Check a server URL and API token, and save them for later commands (in ${displayPath()}, mode 0600)`,
      )
      .argument('<URL>', 'the Hoist server, e.g. http://localhost:8080')
      .option('-t, --token <TOKEN>', 'API token (default: asked for, without echo)')
      .option('--token-stdin', 'read the API token from standard input')
      .addHelpText(
        'after',
        '\nHOIST_URL and HOIST_TOKEN, when set, override the saved values. On its first start the server\nwrites an admin token to <data dir>/initial-admin-token.',
      ),
    'hoist login http://localhost:8080',
    'hoist login https://hoist.example.com --token-stdin < token.txt',
  ).action(async (rawUrl: string, flags: { token?: string; tokenStdin?: boolean }) => {
    const url = normalizeUrl(rawUrl);
    const token = (await readToken(flags)).trim();
    if (!token) throw new CliError('the API token is empty.');
    const client = new ApiClient(url, token);
    let engines;
    try {
      ({ engines } = await client.listEngines());
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        const detail = error.message.replace(/ Run `hoist login.*$/, '');
        throw new CliError(`${url} refused this API token: ${detail} Nothing was saved.`);
      }
      throw error;
    }
    const file = configPath();
    await saveLogin({ url, token }, file);
    const summary = engines
      .map((e) => `${e.id}: ${e.reachable ? (e.mode ?? 'reachable') : 'unreachable'}`)
      .join(', ');
    out(`Logged in to ${url}${summary ? ` (engines: ${summary})` : ''}. Saved to ${file}.`);
    for (const name of ['HOIST_URL', 'HOIST_TOKEN']) {
      if (process.env[name]?.trim())
        err(`note: ${name} is set in your environment and overrides the saved value.`);
    }
  });

  withExamples(
    program
      .command('logout')
      .description(`Forget the saved server URL and token (${displayPath()})`),
    'hoist logout',
  ).action(async () => {
    const file = configPath();
    out((await removeLogin(file)) ? `Removed ${file}.` : `Not logged in: there is no ${file}.`);
  });
}

function displayPath(): string {
  return process.env.XDG_CONFIG_HOME?.trim()
    ? '$XDG_CONFIG_HOME/hoist/config.json'
    : '~/.config/hoist/config.json';
}

async function readToken(flags: { token?: string; tokenStdin?: boolean }): Promise<string> {
  if (flags.token !== undefined && flags.tokenStdin) {
    throw new CliError('give the token either with --token or with --token-stdin, not both.');
  }
  if (flags.token !== undefined) return flags.token;
  if (flags.tokenStdin) return (await readAll(process.stdin)).split('\n')[0] ?? '';
  if (!process.stdin.isTTY) {
    throw new CliError(
      'no API token: pass --token TOKEN or --token-stdin (there is no terminal to ask on).',
    );
  }
  return promptHidden('API token: ');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
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
