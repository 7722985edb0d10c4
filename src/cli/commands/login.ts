import { hostname } from 'node:os';
import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import type { Me } from '../api-types.js';
import { ApiError, CliError } from '../cli-error.js';
import { configPath, connect, normalizeUrl, removeLogin, saveLogin } from '../cli-config.js';
import { withExamples, withOutputFlags, type OutputFlags } from '../command-helpers.js';
import { details, err, out, printJson, shortId } from '../output.js';
import { askHidden, readStdinLines } from '../secret-input.js';

export function registerLoginCommands(program: Command): void {
  withExamples(
    program
      .command('login')
      .description(
        `Sign in to a server with an API token or a username and password, and save the URL and token for later commands (in ${displayPath()}, mode 0600)`,
      )
      .argument('<URL>', 'the Hoist server, e.g. http://localhost:8080')
      .option('-t, --token <TOKEN>', 'API token (default: asked for, without echo)')
      .option('--token-stdin', 'read the API token from standard input')
      .option(
        '-u, --username <USER>',
        'sign in with this username and a password (asked for, without echo) instead of a token',
      )
      .option('--password-stdin', 'with --username: read the password from standard input')
      .addHelpText(
        'after',
        `\nWith --username the server makes a new API token named "${tokenName()}", and that is\nwhat is saved. HOIST_URL and HOIST_TOKEN, when set, override the saved values. On its first\nstart the server writes the admin's password to <data dir>/initial-admin-password and an\nadmin token to <data dir>/initial-admin-token.`,
      ),
    'hoist login http://localhost:8080',
    'hoist login http://localhost:8080 -u admin',
    'hoist login https://hoist.example.com -u ci --password-stdin < password.txt',
    'hoist login https://hoist.example.com --token-stdin < token.txt',
  ).action(async (rawUrl: string, flags: LoginFlags) => {
    const url = normalizeUrl(rawUrl);
    const { token, me } =
      flags.username !== undefined
        ? await signIn(url, flags.username, flags)
        : await checkToken(url, flags);
    const file = configPath();
    await saveLogin({ url, token }, file);
    out(`Logged in to ${url} as ${describeMe(me)}. Saved to ${file}.`);
    for (const name of ['HOIST_URL', 'HOIST_TOKEN']) {
      if (process.env[name]?.trim())
        err(`note: ${name} is set in your environment and overrides the saved value.`);
    }
  });

  withExamples(
    withOutputFlags(
      program
        .command('whoami')
        .description(
          'Show who the API token in use belongs to, its role, and what the token may do',
        ),
      'print only the username',
    ),
    'hoist whoami',
    'hoist whoami --json',
  ).action(async (flags: OutputFlags) => {
    const client = await connect();
    const me = await client.me();
    if (flags.json) return printJson(me);
    if (flags.quiet) return out(me.user.username);
    out(
      details([
        ['Server', client.baseUrl],
        ['User', me.user.username],
        ['Role', me.user.role],
        ['Token', `${me.token.name} (${shortId(me.token.id)})`],
        ['Scopes', me.scopes.join(', ') || 'none'],
      ]),
    );
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

interface LoginFlags {
  token?: string;
  tokenStdin?: boolean;
  username?: string;
  passwordStdin?: boolean;
}

/** "admin (admin; token scopes: read, deploy, manage, admin)" */
function describeMe(me: Me): string {
  return `${me.user.username} (${me.user.role}; token scopes: ${me.scopes.join(', ') || 'none'})`;
}

/** The name of the token a sign-in makes: which machine it is on, for `hoist token ls`. */
function tokenName(): string {
  return `hoist CLI on ${hostname()}`.slice(0, 64);
}

/** Checks a token with GET /api/v1/me, which any valid token may call (a deploy-only one too). */
async function checkToken(url: string, flags: LoginFlags): Promise<{ token: string; me: Me }> {
  if (flags.passwordStdin) {
    throw new CliError('--password-stdin goes with --username: add -u USER, or use --token-stdin.');
  }
  const token = (await readToken(flags)).trim();
  if (!token) throw new CliError('the API token is empty.');
  try {
    return { token, me: await new ApiClient(url, token).me() };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      const detail = error.message.replace(/ Run `hoist login.*$/, '');
      throw new CliError(`${url} refused this API token: ${detail} Nothing was saved.`);
    }
    throw error;
  }
}

/** Signs in with a username and password: the server answers a new token, saved instead of them. */
async function signIn(
  url: string,
  username: string,
  flags: LoginFlags,
): Promise<{ token: string; me: Me }> {
  if (flags.token !== undefined || flags.tokenStdin) {
    throw new CliError(
      'sign in either with --username (and a password) or with a token, not both.',
    );
  }
  if (!username.trim()) throw new CliError('the username is empty.');
  const password = flags.passwordStdin
    ? ((await readStdinLines())[0] ?? '')
    : await askHidden(`Password for ${username} at ${url}: `, 'no password: pass --password-stdin');
  if (!password) throw new CliError('the password is empty; nothing was saved.');
  let token: string;
  try {
    ({ token } = await new ApiClient(url, null).signIn({
      username: username.trim(),
      password,
      tokenName: tokenName(),
    }));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      throw new CliError(
        `${url} refused the sign-in: the username or password is wrong. Nothing was saved.`,
      );
    }
    if (error instanceof ApiError && error.status === 429) {
      const wait = error.retryAfterSeconds;
      throw new CliError(
        `${url} refused the sign-in: too many failed attempts; retry ${wait === undefined ? 'in a minute' : `after ${wait} seconds`}. Nothing was saved.`,
      );
    }
    throw error;
  }
  return { token, me: await new ApiClient(url, token).me() };
}

async function readToken(flags: LoginFlags): Promise<string> {
  if (flags.token !== undefined && flags.tokenStdin) {
    throw new CliError('give the token either with --token or with --token-stdin, not both.');
  }
  if (flags.token !== undefined) return flags.token;
  if (flags.tokenStdin) return (await readStdinLines())[0] ?? '';
  return askHidden(
    'API token: ',
    'no API token: pass --token TOKEN or --token-stdin, or --username USER',
  );
}
