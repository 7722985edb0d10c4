import type { Command } from 'commander';

/** A stop signal ends the process within this, whatever is still closing. */
const STOP_DEADLINE_MS = 8_000;

/**
 * `hoist server`. The server and its dependencies (Fastify, dockerode,
 * SQLite) are imported only when this command runs, so every other command
 * starts without loading them.
 */
export function registerServerCommand(program: Command): void {
  const server = program
    .command('server')
    .description('Run the Hoist server: HTTP API, /hooks/ endpoint and action worker')
    .option('-p, --port <port>', 'port to listen on (overrides HOIST_PORT)')
    .addHelpText(
      'after',
      '\nConfiguration comes from the environment (HOIST_PORT, HOIST_DATA_DIR, HOIST_PUBLIC_URL, DOCKER_HOST, ...): see the README.\n\nExample:\n  HOIST_PUBLIC_URL=https://hoist.example.com hoist server',
    )
    .action(async (options: { port?: string }) => {
      const { ConfigError, loadConfig } = await import('../../config.js');
      const { startServer } = await import('../../server.js');
      const env = { ...process.env, ...(options.port ? { HOIST_PORT: options.port } : {}) };
      // A bad setting is the user's to fix: say which and exit 2, without a stack trace.
      const exitOnConfigError = (error: unknown) => {
        if (!(error instanceof ConfigError)) return;
        process.stderr.write(`hoist: ${error.message}\n`);
        process.exit(2);
      };
      let config;
      try {
        config = loadConfig(env);
      } catch (error) {
        exitOnConfigError(error);
        throw error;
      }
      let server;
      try {
        server = await startServer(config);
      } catch (error) {
        // A setting whose files are wrong (HOIST_TLS_CERT_FILE) is found only when they are read.
        exitOnConfigError(error);
        const code = (error as NodeJS.ErrnoException).code;
        const hint =
          code === 'EADDRINUSE'
            ? ` Port ${config.port} is taken: stop what uses it or set HOIST_PORT.`
            : code === 'EACCES'
              ? ` Check that ${config.dataDir} and port ${config.port} are usable by this user.`
              : '';
        process.stderr.write(`hoist: could not start: ${(error as Error).message}.${hint}\n`);
        process.exit(1);
      }
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          // Docker kills a container 10 s after SIGTERM. Exiting first leaves nothing worse than
          // that kill would: actions still running resume at the next start, as after a crash.
          setTimeout(() => process.exit(0), STOP_DEADLINE_MS).unref();
          void server?.close().then(() => process.exit(0));
        });
      }
    });

  server
    .command('reset-password')
    .description(
      "Set a user's password in the data directory's store (for a locked-out admin); prints it once",
    )
    .argument('<USER>', 'the username, e.g. admin')
    .option('--password-stdin', 'read the new password from standard input (default: generate one)')
    .addHelpText(
      'after',
      '\nRun it where the server runs, with the same HOIST_DATA_DIR; the server may keep running.\n\nExample:\n  HOIST_DATA_DIR=/var/lib/hoist hoist server reset-password admin',
    )
    .action(async (username: string, options: { passwordStdin?: boolean }) => {
      const path = await import('node:path');
      const { loadConfig } = await import('../../config.js');
      const { openSqliteStore } = await import('../../adapters/store/open-store.js');
      const { ApiTokens } = await import('../../domain/auth/api-tokens.js');
      const { Users } = await import('../../domain/auth/users.js');
      const { systemClock } = await import('../../domain/clock.js');
      const config = loadConfig(process.env);
      const file = path.join(config.dataDir, 'hoist.sqlite');
      const { existsSync } = await import('node:fs');
      if (!existsSync(file)) {
        process.stderr.write(
          `hoist: there is no store at ${file}: set HOIST_DATA_DIR to the server's data directory.\n`,
        );
        process.exit(2);
      }
      const given = options.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
      const store = await openSqliteStore(file);
      try {
        const users = new Users({
          store,
          clock: systemClock,
          tokens: new ApiTokens({ store, clock: systemClock }),
        });
        const password = await users.resetPassword(username, given);
        process.stdout.write(
          given === undefined
            ? `New password for ${username}, shown only now:\n\n    ${password}\n\n`
            : `Password for ${username} set.\n`,
        );
      } catch (error) {
        process.stderr.write(`hoist: ${(error as Error).message}\n`);
        process.exitCode = 1;
      } finally {
        await store.close();
      }
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
