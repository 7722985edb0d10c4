import { Argument, Option, type Command } from 'commander';
import { ROLES, type Role } from '../api-types.js';
import { CliError } from '../cli-error.js';
import { connect } from '../cli-config.js';
import { withExamples, withOutputFlags, type OutputFlags } from '../command-helpers.js';
import { err, out, printJson, relativeTime, shortId, styleFor, table } from '../output.js';
import { resolveUser } from '../resolve.js';
import { askHidden, askNewPassword, readStdinLines } from '../secret-input.js';

const ROLE_HELP = 'admin: everything; operator: services, handlers, redeploys; viewer: read only';

/** `hoist user ...`: the accounts on a server (admins), and your own password. */
export function registerUserCommands(program: Command): void {
  const user = program
    .command('user')
    .description('Add, list and remove users, set their role, and change passwords');
  withExamples(
    user,
    'hoist user add alice --role operator',
    'hoist user ls',
    'hoist user passwd',
    'hoist user rm alice',
  );

  withExamples(
    withOutputFlags(
      user.command('ls').alias('list').description('List users and their roles (admin)'),
      'print only usernames, one per line',
    ),
    'hoist user ls',
    'hoist user ls --json',
  ).action(async (flags: OutputFlags) => {
    const client = await connect();
    const { users } = await client.listUsers();
    if (flags.json) return printJson(users);
    if (flags.quiet) return users.forEach((u) => out(u.username));
    const now = Date.now();
    out(
      table(
        ['ID', 'USERNAME', 'ROLE', 'CREATED', 'PASSWORD SET'],
        users.map((u) => [
          shortId(u.id),
          u.username,
          u.role,
          relativeTime(u.createdAt, now),
          relativeTime(u.passwordSetAt, now),
        ]),
      ),
    );
  });

  withExamples(
    withOutputFlags(
      user
        .command('add')
        .description(
          'Add a user; without --password-stdin the server makes a password, printed once',
        )
        .argument('<USERNAME>', 'letters, digits and . _ -')
        .addOption(new Option('-r, --role <ROLE>', ROLE_HELP).choices(ROLES).makeOptionMandatory())
        .option(
          '--password-stdin',
          'read their password from standard input (12 characters or more)',
        ),
      'print only the generated password',
    ),
    'hoist user add alice --role operator',
    'hoist user add ci --role viewer --password-stdin < password.txt',
  ).action(
    async (username: string, flags: OutputFlags & { role: Role; passwordStdin?: boolean }) => {
      const password = flags.passwordStdin ? await oneStdinLine('password') : undefined;
      const client = await connect();
      const created = await client.createUser({
        username,
        role: flags.role,
        ...(password === undefined ? {} : { password }),
      });
      if (flags.json) return printJson(created);
      if (flags.quiet) return created.password === null ? undefined : out(created.password);
      const { user: u } = created;
      if (created.password === null) {
        out(`Added ${u.role} ${u.username} (${shortId(u.id)}) with the password you gave.`);
        return;
      }
      const style = styleFor(process.stdout);
      out(`Added ${u.role} ${u.username} (${shortId(u.id)}). Their password:`);
      out(`  ${style.bold(created.password)}`);
      out(
        style.yellow(
          `This password is shown only this once: give it to ${u.username}, who can sign in with \`hoist login ${client.baseUrl} -u ${u.username}\` and change it with \`hoist user passwd\`.`,
        ),
      );
    },
  );

  withExamples(
    user
      .command('set-role')
      .description("Change a user's role; their tokens lose what the role loses at once (admin)")
      .argument('<USERNAME>')
      .addArgument(new Argument('<ROLE>', ROLE_HELP).choices(ROLES)),
    'hoist user set-role alice viewer',
  ).action(async (username: string, role: Role) => {
    const client = await connect();
    const target = await resolveUser(client, username);
    if (target.role === role) return out(`${target.username} is already ${role}; nothing changed.`);
    const { user: u } = await client.updateUser(target.id, { role });
    out(`${u.username} is now ${u.role} (was ${target.role}).`);
  });

  withExamples(
    user
      .command('passwd')
      .description("Change your password (asks for the current one), or set another user's (admin)")
      .argument('[USERNAME]', 'whose password to set (default: yours)')
      .option(
        '--password-stdin',
        'read from standard input: for your own, the current password on the first line and the new one on the second; for another user, their new password',
      ),
    'hoist user passwd',
    'hoist user passwd alice',
    'printf \'%s\\n%s\\n\' "$OLD" "$NEW" | hoist user passwd --password-stdin',
  ).action(async (username: string | undefined, flags: { passwordStdin?: boolean }) => {
    const instead = 'no password: pass --password-stdin';
    if (username === undefined) {
      let current: string;
      let password: string;
      if (flags.passwordStdin) {
        const lines = await readStdinLines();
        [current = '', password = ''] = lines;
        if (!current || !password) {
          throw new CliError(
            'with --password-stdin, give the current password on the first line and the new one on the second.',
          );
        }
      } else {
        current = await askHidden('Current password: ', instead);
        password = await askNewPassword('New password: ', instead);
      }
      const client = await connect();
      await client.changeOwnPassword(current, password);
      out(
        'Changed your password. Your API tokens stay valid; revoke any you doubt with `hoist token rm`.',
      );
      return;
    }
    const password = flags.passwordStdin
      ? await oneStdinLine('password')
      : await askNewPassword(`New password for ${username}: `, instead);
    const client = await connect();
    const target = await resolveUser(client, username);
    await client.updateUser(target.id, { password });
    out(`Set the password of ${target.username}.`);
  });

  withExamples(
    user
      .command('rm')
      .alias('remove')
      .description('Remove users and revoke their API tokens (admin)')
      .argument('<USERNAME...>'),
    'hoist user rm alice',
  ).action(async (usernames: string[]) => {
    const client = await connect();
    for (const username of usernames) {
      try {
        const target = await resolveUser(client, username);
        await client.deleteUser(target.id);
        out(
          `Removed ${target.role} ${target.username} (${shortId(target.id)}) and their API tokens.`,
        );
      } catch (error) {
        if (!(error instanceof CliError) || usernames.length === 1) throw error;
        err(`hoist: ${username}: ${error.message}`);
        process.exitCode = 1;
      }
    }
  });
}

/** The first line of standard input, refused when empty. */
async function oneStdinLine(what: string): Promise<string> {
  const line = (await readStdinLines())[0] ?? '';
  if (!line) throw new CliError(`the ${what} on standard input is empty.`);
  return line;
}
