import { Command } from 'commander';
import { CliError } from './cli-error.js';
import { withExamples } from './command-helpers.js';
import { registerActionCommands } from './commands/action.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerCompletionCommand } from './commands/completion.js';
import { registerEngineCommands } from './commands/engine.js';
import { registerLoginCommands } from './commands/login.js';
import { registerServerCommand } from './commands/server.js';
import { registerServiceCommands } from './commands/service.js';
import { registerTokenCommands } from './commands/token.js';
import { registerUserCommands } from './commands/user.js';
import { registerWebhookCommands } from './commands/webhook.js';
import { err } from './output.js';

const program = new Command()
  .name('hoist')
  .description('Secret webhook URLs that redeploy your Docker containers.')
  .version('0.1.0')
  .showHelpAfterError('(add --help for usage)')
  .addHelpText(
    'after',
    '\nEvery command but server and login talks to a Hoist server: the one `hoist login` saved,\nor HOIST_URL with HOIST_TOKEN.',
  );
withExamples(
  program,
  'hoist server',
  'hoist login http://localhost:8080',
  'hoist webhook create web -n "docker hub"',
  'hoist service redeploy web --sync',
);

registerServerCommand(program);
registerLoginCommands(program);
registerServiceCommands(program);
registerWebhookCommands(program);
registerActionCommands(program);
registerAuditCommands(program);
registerEngineCommands(program);
registerTokenCommands(program);
registerUserCommands(program);
registerCompletionCommand(program);

// `hoist service ls | head -1` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof CliError) {
    err(`hoist: ${error.message}`);
    process.exitCode = error.exitCode;
  } else {
    err(
      `hoist: unexpected error (a bug: please report it): ${(error as Error).stack ?? String(error)}`,
    );
    process.exitCode = 1;
  }
}
