import { InvalidArgumentError, type Command } from 'commander';
import type { AuditEvent } from '../api-types.js';
import { MAX_PAGE_LIMIT } from '../api-types.js';
import { connect } from '../cli-config.js';
import { pageLimit, withExamples, withOutputFlags, type OutputFlags } from '../command-helpers.js';
import { err, out, printJson, relativeTime, table } from '../output.js';
import { isUuid, resolveService } from '../resolve.js';

export function registerAuditCommands(program: Command): void {
  const audit = program
    .command('audit')
    .description('The audit log: who changed what, when and from where');
  withExamples(audit, 'hoist audit ls', 'hoist audit ls --actor otto --since 2026-12-01');

  withExamples(
    withOutputFlags(
      audit
        .command('ls')
        .alias('list')
        .description('List audit events, newest first')
        .option('--actor <ACTOR>', 'only this actor: a username, or "handler <name>"')
        .option(
          '-s, --service <SERVICE>',
          "only this service's and its handlers' events (id or name)",
        )
        .option('--object <ID>', 'only events about this object (a service, handler, user... id)')
        .option(
          '--since <TIME>',
          'only events at or after this time (ISO 8601, e.g. 2026-12-01)',
          since,
        )
        .option('-n, --limit <N>', `the newest N events (1 to ${MAX_PAGE_LIMIT})`, pageLimit, 20),
    ),
    'hoist audit ls',
    'hoist audit ls --actor otto -n 100',
    'hoist audit ls --object 3f2a9c1e-0b6d-4c1e-9f7a-2b8c4d6e8f00 --json',
  ).action(
    async (
      flags: OutputFlags & {
        actor?: string;
        service?: string;
        object?: string;
        since?: string;
        limit: number;
      },
    ) => {
      const client = await connect();
      // A full id needs no lookup: the history of a service that is gone stays readable.
      const service =
        flags.service && isUuid(flags.service.trim())
          ? flags.service.trim().toLowerCase()
          : flags.service
            ? (await resolveService(client, flags.service)).id
            : null;
      const page = await client.listAudit({
        ...(service ? { service } : {}),
        ...(flags.actor ? { actor: flags.actor } : {}),
        ...(flags.object ? { object: flags.object } : {}),
        ...(flags.since ? { since: flags.since } : {}),
        limit: flags.limit,
      });
      // On stderr: what a script reads from stdout stays the list alone.
      if (page.next) err(`(the newest ${page.events.length} shown; there are more: raise -n)`);
      if (flags.json) return printJson(page.events);
      if (flags.quiet) return page.events.forEach((e) => out(e.id));
      const now = Date.now();
      out(
        table(
          ['WHEN', 'ACTOR', 'ACTION', 'OBJECT', 'DETAIL', 'FROM'],
          page.events.map((e) => [
            relativeTime(e.at, now),
            e.tokenName ? `${e.actor} (${e.tokenName})` : e.actor,
            e.action,
            objectText(e),
            e.detail ?? '-',
            e.address ?? '-',
          ]),
        ),
      );
    },
  );
}

function objectText(event: AuditEvent): string {
  if (!event.objectKind) return '-';
  const name = event.objectName ?? event.objectId?.slice(0, 8) ?? '?';
  return `${event.objectKind} ${name}`;
}

/** An ISO 8601 date or time, sent as the full time the API takes. */
function since(value: string): string {
  const at = Date.parse(value);
  if (Number.isNaN(at)) {
    throw new InvalidArgumentError(
      'use an ISO 8601 date or time, e.g. 2026-12-01 or 2026-12-01T08:00Z.',
    );
  }
  return new Date(at).toISOString();
}
