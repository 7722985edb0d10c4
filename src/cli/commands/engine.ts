import type { Command } from 'commander';
import { connect } from '../cli-config.js';
import { withExamples, withOutputFlags, type OutputFlags } from '../command-helpers.js';
import { out, printJson, styleFor, table } from '../output.js';

export function registerEngineCommands(program: Command): void {
  const engine = program.command('engine').description('Show the Docker engines Hoist manages');
  withExamples(engine, 'hoist engine ls');

  withExamples(
    withOutputFlags(
      engine
        .command('ls')
        .alias('list')
        .description('List engines, their mode and whether they answer'),
    ),
    'hoist engine ls',
    'hoist engine ls --json',
  ).action(async (flags: OutputFlags) => {
    const client = await connect();
    const { engines } = await client.listEngines();
    if (flags.json) return printJson(engines);
    if (flags.quiet) return engines.forEach((e) => out(e.id));
    const style = styleFor(process.stdout);
    out(
      table(
        ['ID', 'HOST', 'MODE', 'VERSION', 'API', 'STATUS'],
        engines.map((e) => [
          e.id,
          e.host,
          e.mode ?? '-',
          e.version ?? '-',
          e.apiVersion ?? '-',
          e.reachable
            ? style.green('reachable')
            : style.red(`unreachable: ${e.error ?? 'no answer'}`),
        ]),
      ),
    );
  });
}
