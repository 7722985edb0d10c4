import { InvalidArgumentError, type Command } from 'commander';
import { SCOPES, type ApiToken, type Scope } from '../api-types.js';
import { CliError } from '../cli-error.js';
import { connect } from '../cli-config.js';
import { withExamples, withOutputFlags, type OutputFlags } from '../command-helpers.js';
import { err, out, printJson, relativeTime, shortId, styleFor, table } from '../output.js';
import { resolveToken } from '../resolve.js';

/** `hoist token ...`: your API tokens (everyone's, for admins). */
export function registerTokenCommands(program: Command): void {
  const token = program
    .command('token')
    .description('Create, list and revoke API tokens (for scripts, CI and other machines)');
  withExamples(
    token,
    'hoist token create ci --scope deploy --expires-in-days 90',
    'hoist token ls',
    'hoist token rm ci',
  );

  withExamples(
    withOutputFlags(
      token
        .command('ls')
        .alias('list')
        .description('List your API tokens (never the tokens themselves)')
        .option('-a, --all', "everyone's tokens (needs the admin scope)"),
    ),
    'hoist token ls',
    'hoist token ls --all',
    'hoist token ls --json',
  ).action(async (flags: OutputFlags & { all?: boolean }) => {
    const client = await connect();
    const { tokens } = await client.listTokens({ all: flags.all === true });
    if (flags.json) return printJson(tokens);
    if (flags.quiet) return tokens.forEach((t) => out(t.id));
    const owners = flags.all
      ? new Map((await client.listUsers()).users.map((u) => [u.id, u.username]))
      : null;
    const now = Date.now();
    const headers = ['ID', 'NAME', 'SCOPES', 'PREFIX', 'CREATED', 'EXPIRES', 'LAST USED'];
    out(
      table(
        owners ? [...headers.slice(0, 2), 'USER', ...headers.slice(2)] : headers,
        tokens.map((t) => {
          const row = [
            shortId(t.id),
            t.name,
            t.scopes.join(','),
            `${t.tokenPrefix}…`,
            relativeTime(t.createdAt, now),
            relativeTime(t.expiresAt, now),
            relativeTime(t.lastUsedAt, now),
          ];
          return owners
            ? [...row.slice(0, 2), owners.get(t.userId) ?? shortId(t.userId), ...row.slice(2)]
            : row;
        }),
      ),
    );
  });

  withExamples(
    withOutputFlags(
      token
        .command('create')
        .description('Create an API token for yourself and print it (shown only this once)')
        .argument('<NAME>', 'what the token is for, e.g. "github actions"')
        .option(
          '-s, --scope <SCOPES>',
          `what it may do, comma-separated: ${SCOPES.join(', ')} (default: all your role allows)`,
          scopes,
        )
        .option('--expires-in-days <N>', 'refused after N days (default: never)', positive),
      'print only the token',
    ),
    'hoist token create ci --scope deploy',
    'hoist token create dashboard --scope read --expires-in-days 30',
    'TOKEN=$(hoist token create ci --scope deploy -q)',
  ).action(
    async (name: string, flags: OutputFlags & { scope?: Scope[]; expiresInDays?: number }) => {
      const client = await connect();
      const created = await client.createToken({
        name,
        ...(flags.scope ? { scopes: flags.scope } : {}),
        ...(flags.expiresInDays === undefined ? {} : { expiresInDays: flags.expiresInDays }),
      });
      if (flags.json) return printJson(created);
      if (flags.quiet) return out(created.token);
      const style = styleFor(process.stdout);
      out(
        `API token "${created.apiToken.name}" (${shortId(created.apiToken.id)}), ${about(created.apiToken)}:`,
      );
      out(`  ${style.bold(created.token)}`);
      out(
        style.yellow(
          `This token is shown only this once and is not shown again: copy it now. Use it with \`hoist login ${client.baseUrl} --token-stdin\` or as HOIST_TOKEN.`,
        ),
      );
    },
  );

  withExamples(
    token
      .command('rm')
      .alias('remove')
      .description('Revoke API tokens: they are refused from the next request on')
      .argument('<TOKEN...>', 'token ids, unique id prefixes, or names')
      .option('-a, --all', "look among everyone's tokens (needs the admin scope)"),
    'hoist token rm ci',
    'hoist token rm 5c1d0e2a',
    'hoist token rm --all 9f8e7d6c',
  ).action(async (refs: string[], flags: { all?: boolean }) => {
    const client = await connect();
    for (const ref of refs) {
      try {
        const found = await resolveToken(client, ref, flags.all === true);
        await client.revokeToken(found.id);
        const name = found.name === undefined ? '' : `"${found.name}" `;
        out(`Revoked API token ${name}(${shortId(found.id)}): it is refused from now on.`);
      } catch (error) {
        if (!(error instanceof CliError) || refs.length === 1) throw error;
        err(`hoist: ${ref}: ${error.message}`);
        process.exitCode = 1;
      }
    }
  });
}

/** "scopes read, deploy; expires in 30 days (2027-01-05)" */
function about(token: ApiToken): string {
  if (!token.expiresAt) return `scopes ${token.scopes.join(', ')}; never expires`;
  const days = Math.round((Date.parse(token.expiresAt) - Date.now()) / 86_400_000);
  return `scopes ${token.scopes.join(', ')}; expires in ${days} day${days === 1 ? '' : 's'} (${token.expiresAt.slice(0, 10)})`;
}

/** "read,deploy" -> ['read', 'deploy']; repeated flags add up. */
function scopes(value: string, previous: Scope[] = []): Scope[] {
  const listed = value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const unknown = listed.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (listed.length === 0 || unknown.length > 0) {
    throw new InvalidArgumentError(
      `${unknown.length > 0 ? `unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; ` : ''}use ${SCOPES.join(', ')}, comma-separated.`,
    );
  }
  return [...new Set([...previous, ...(listed as Scope[])])];
}

function positive(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError('use a whole number from 1.');
  }
  return Number(value);
}
