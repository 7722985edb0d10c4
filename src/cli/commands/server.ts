import type { Command } from 'commander';

/** A stop signal ends the process within this, whatever is still closing. */
const STOP_DEADLINE_MS = 8_000;

/**
 * `hoist server`. The server and its dependencies (Fastify, dockerode,
 * SQLite) are imported only when this command runs, so every other command
 * starts without loading them.
 */
export function registerServerCommand(program: Command): void {
  program
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
}
