import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Action, ActionState, ActionWithLog } from '../api-types.js';
import { ACTION_STATES, MAX_PAGE_LIMIT } from '../api-types.js';
import { connect } from '../cli-config.js';
import { pageLimit, withExamples, withOutputFlags, type OutputFlags } from '../command-helpers.js';
import { followAction, isEnded, logLine, reportEnd } from '../follow-action.js';
import {
  details,
  duration,
  err,
  out,
  printJson,
  relativeTime,
  shortId,
  stateText,
  styleFor,
  table,
} from '../output.js';
import { isUuid, resolveActionId, resolveService } from '../resolve.js';

export function registerActionCommands(program: Command): void {
  const action = program
    .command('action')
    .description('List actions (redeploys, scales) and follow their logs');
  withExamples(action, 'hoist action ls', 'hoist action logs -f 1a2b3c4d');

  withExamples(
    withOutputFlags(
      action
        .command('ls')
        .alias('list')
        .description('List actions, newest first')
        .option('-s, --service <SERVICE>', 'only this service (id, unique id prefix, or name)')
        .addOption(
          new Option('--state <STATE>', 'only actions in this state')
            .choices(['pending', 'in-progress', 'success', 'failed', 'canceled'])
            .argParser(state),
        )
        .option('-n, --limit <N>', `the newest N actions (1 to ${MAX_PAGE_LIMIT})`, pageLimit, 20)
        .addOption(
          new Option(
            '-a, --all',
            `every action, however many (fetched ${MAX_PAGE_LIMIT} at a time)`,
          ).conflicts('limit'),
        ),
    ),
    'hoist action ls',
    'hoist action ls --service web --state failed',
    'hoist action ls -n 100 --json',
    'hoist action ls --all --state failed -q',
  ).action(
    async (
      flags: OutputFlags & { service?: string; state?: ActionState; limit: number; all?: boolean },
    ) => {
      const client = await connect();
      // A full id needs no lookup: the actions of a service that is gone stay listable.
      const serviceId =
        flags.service && isUuid(flags.service.trim())
          ? flags.service.trim().toLowerCase()
          : flags.service
            ? (await resolveService(client, flags.service)).id
            : null;
      let page = await client.listActions({
        ...(serviceId ? { service: serviceId } : {}),
        ...(flags.state ? { state: flags.state } : {}),
        limit: flags.all ? MAX_PAGE_LIMIT : flags.limit,
      });
      const actions = [...page.actions];
      while (flags.all && page.next) {
        page = await client.nextPage<typeof page>(page.next);
        actions.push(...page.actions);
      }
      // On stderr: what a script reads from stdout stays the list alone.
      if (page.next && !flags.all) {
        err(`(the newest ${actions.length} shown; there are more: add --all to list every action)`);
      }
      if (flags.json) return printJson(actions);
      if (flags.quiet) return actions.forEach((a) => out(a.id));
      // Names for the SERVICE column; ids of services the engine no longer has stay short ids.
      const names = new Map(
        (await client.listServices()).services.map((s) => [s.id, s.name] as const),
      );
      const style = styleFor(process.stdout);
      const now = Date.now();
      out(
        table(
          ['ID', 'SERVICE', 'TYPE', 'STATE', 'TRIGGER', 'CREATED', 'DURATION'],
          actions.map((a) => [
            shortId(a.id),
            names.get(a.serviceId) ?? shortId(a.serviceId),
            a.type,
            stateText(a.state, style),
            trigger(a),
            relativeTime(a.createdAt, now),
            a.endedAt ? duration(Date.parse(a.endedAt) - Date.parse(a.createdAt)) : '-',
          ]),
        ),
      );
    },
  );

  withExamples(
    action
      .command('inspect')
      .description('Show one action: state, trigger, digests before and after, and its log')
      .argument('<ID>', 'action id or unique id prefix')
      .option('--json', 'print the API object as JSON'),
    'hoist action inspect 1a2b3c4d',
    'hoist action inspect 1a2b3c4d --json',
  ).action(async (ref: string, flags: OutputFlags) => {
    const client = await connect();
    const found = await client.getAction(await resolveActionId(client, ref));
    if (flags.json) return printJson(found);
    const service = await client.getService(found.serviceId).catch(() => null);
    printAction(found, service?.name ?? null);
  });

  withExamples(
    action
      .command('logs')
      .description("Print an action's log; with -f, follow it until the action ends")
      .argument('<ID>', 'action id or unique id prefix')
      .option(
        '-f, --follow',
        'keep printing new lines until it ends; exit 1 if it does not succeed',
      )
      .option('--json', 'print the log as JSON (with -f: one JSON object per line)'),
    'hoist action logs 1a2b3c4d',
    'hoist action logs -f 1a2b3c4d',
  ).action(async (ref: string, flags: { follow?: boolean; json?: boolean }) => {
    const client = await connect();
    const id = await resolveActionId(client, ref);
    if (flags.follow) {
      const ended = await followAction(client, id, flags.json ? 'ndjson' : 'lines');
      process.exitCode = reportEnd(ended, flags.json);
      return;
    }
    const found = await client.getAction(id);
    if (flags.json) return printJson(found.log);
    for (const entry of found.log) out(logLine(entry, found.createdAt));
    if (!isEnded(found)) {
      out(
        styleFor(process.stdout).dim(
          `(${found.state}: follow it with hoist action logs -f ${shortId(id)})`,
        ),
      );
    }
  });
}

function printAction(a: ActionWithLog, serviceName: string | null): void {
  const style = styleFor(process.stdout);
  const pairs: [string, string][] = [
    ['ID', a.id],
    ['Type', a.type + options(a)],
    ['State', stateText(a.state, style)],
    ['Service', serviceName ? `${serviceName} (${a.serviceId})` : a.serviceId],
    ['Trigger', trigger(a)],
    ['Image', a.imageRef ?? '-'],
    ['Digest before', a.digestBefore ?? '-'],
    ['Digest after', a.digestAfter ?? '-'],
    ['Created', `${a.createdAt} (${relativeTime(a.createdAt)})`],
    ['Started', a.startedAt ?? '-'],
    [
      'Ended',
      a.endedAt
        ? `${a.endedAt} (after ${duration(Date.parse(a.endedAt) - Date.parse(a.createdAt))})`
        : '-',
    ],
    ['Attempts', String(a.attempts)],
  ];
  if (a.reason) pairs.push(['Reason', style.red(a.reason)]);
  out(details(pairs));
  if (a.log.length > 0) {
    out('\nLog:');
    for (const entry of a.log) out(logLine(entry, a.createdAt));
  }
}

function options(a: Action): string {
  const parts: string[] = [];
  if (a.options.replicas !== undefined) parts.push(`to ${a.options.replicas}`);
  if (a.options.add !== undefined) parts.push(`+${a.options.add}`);
  if (a.options.reuseVolumes === false) parts.push('fresh volumes');
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function trigger(a: Action): string {
  if (a.trigger.kind === 'webhook')
    return `webhook "${a.trigger.webhookName ?? shortId(a.trigger.webhookId ?? '?')}"`;
  if (a.trigger.kind === 'api') {
    const token = a.trigger.tokenName ?? 'token';
    return a.trigger.username ? `api (${a.trigger.username}, token ${token})` : `api (${token})`;
  }
  return a.trigger.kind;
}

/** "failed", "In progress", "in-progress", "in_progress" -> the API's state name. */
function state(value: string): ActionState {
  const wanted = value
    .trim()
    .toLowerCase()
    .replace(/[-_ ]+/g, ' ');
  const found = ACTION_STATES.find((s) => s.toLowerCase() === wanted);
  if (!found) throw new InvalidArgumentError(`use one of ${ACTION_STATES.join(', ')}.`);
  return found;
}
