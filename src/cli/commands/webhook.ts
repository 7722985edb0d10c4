import { InvalidArgumentError, Option, type Command } from 'commander';
import type {
  AcceptedSignatures,
  CreatedWebhook,
  Webhook,
  WebhookOperation,
} from '../api-types.js';
import { SIGNATURE_SCHEMES } from '../api-types.js';
import { CliError } from '../cli-error.js';
import { connect } from '../cli-config.js';
import { collect, withExamples, withOutputFlags, type OutputFlags } from '../command-helpers.js';
import { err, out, printJson, relativeTime, shortId, styleFor, table } from '../output.js';
import { resolveService, resolveWebhooks } from '../resolve.js';

/** `hoist webhook ...`, also reachable as `hoist trigger ...` (Tutum's name for handlers). */
export function registerWebhookCommands(program: Command): void {
  const webhook = program
    .command('webhook')
    .alias('trigger')
    .description("Create, list and revoke a service's secret webhook URLs");
  withExamples(
    webhook,
    'hoist webhook create web -n "docker hub" -n ci',
    'hoist webhook ls web',
    'hoist webhook rm web ci',
  );

  withExamples(
    withOutputFlags(
      webhook
        .command('create')
        .description('Create webhook handlers and print their secret URLs (shown only this once)')
        .argument('<SERVICE>', 'id, unique id prefix, or name')
        .option(
          '-n, --name <NAME>',
          'handler name; repeat to create several (default: the operation)',
          collect,
        )
        .addOption(
          new Option(
            '-o, --operation <OPERATION>',
            'what a call does: REDEPLOY pulls and replaces, SCALEUP adds replicas',
          )
            .choices(['REDEPLOY', 'SCALEUP'])
            .default('REDEPLOY')
            // After choices(): keeps them for --help and completion, and accepts any case.
            .argParser(operation),
        )
        .option(
          '--max-scale <N>',
          'SCALEUP: the largest N one call may add (POST URL/N); default 10',
          positive,
        )
        .option(
          '--rate-limit <N>',
          'at most N calls a minute (N at once, then one every 60/N s); more get 429',
          positive,
        )
        .option('--signed', 'calls must be signed with a secret printed once (not with -q)')
        .addOption(
          new Option(
            '--signature-scheme <SCHEME>',
            "with --signed: standard-webhooks takes only Standard Webhooks signatures (timestamped); any also takes GitHub's X-Hub-Signature-256, which can be replayed",
          )
            .choices(SIGNATURE_SCHEMES)
            .default('any'),
        ),
      'print only the URLs, one per line',
    ),
    'hoist webhook create web -n "docker hub"',
    'hoist webhook create web -n ci -n registry',
    'hoist webhook create web -n autoscale -o SCALEUP --max-scale 5',
    'hoist webhook create web -n ci --rate-limit 60',
    'hoist webhook create web -n ci --signed --signature-scheme standard-webhooks',
    'URL=$(hoist webhook create web -n ci -q)',
  ).action(
    async (
      ref: string,
      flags: OutputFlags & {
        name?: string[];
        operation: WebhookOperation;
        maxScale?: number;
        rateLimit?: number;
        signed?: boolean;
        signatureScheme: AcceptedSignatures;
      },
    ) => {
      if (flags.maxScale !== undefined && flags.operation !== 'SCALEUP') {
        throw new CliError('--max-scale applies only to SCALEUP handlers: add -o SCALEUP.');
      }
      if (flags.signatureScheme !== 'any' && !flags.signed) {
        throw new CliError('--signature-scheme applies only to signed handlers: add --signed.');
      }
      if (flags.signed && flags.quiet) {
        throw new CliError(
          '-q prints only URLs, and a signing secret is shown only once: use --json with --signed.',
        );
      }
      const names = flags.name ?? [flags.operation.toLowerCase()];
      const client = await connect();
      const service = await resolveService(client, ref);
      const style = styleFor(process.stdout);
      const created: CreatedWebhook[] = [];
      for (const name of names) {
        let one: CreatedWebhook;
        try {
          one = await client.createWebhook(service.id, {
            name,
            operation: flags.operation,
            ...(flags.maxScale === undefined ? {} : { maxScale: flags.maxScale }),
            ...(flags.rateLimit === undefined ? {} : { rateLimitPerMinute: flags.rateLimit }),
            ...(flags.signed ? { signed: true, signatureScheme: flags.signatureScheme } : {}),
          });
        } catch (error) {
          // The URLs made so far are shown before the error: they cannot be shown again.
          if (created.length > 0) finish(created);
          throw error;
        }
        created.push(one);
        if (flags.quiet) out(one.url);
        else if (!flags.json) {
          const { webhook: w } = one;
          const limit =
            typeof w.rateLimitPerMinute === 'number'
              ? `, at most ${w.rateLimitPerMinute} calls a minute`
              : '';
          const signed = w.signed
            ? `, signed${w.signatureScheme === 'standard-webhooks' ? ' (Standard Webhooks only)' : ''}`
            : '';
          out(
            `${w.operation} handler "${w.name}" (${shortId(w.id)}) for ${service.name}${signed}${limit}:`,
          );
          out(`  ${style.bold(one.url)}`);
          if (one.signingSecret) out(`  signing secret: ${style.bold(one.signingSecret)}`);
        }
      }
      finish(created);

      function finish(done: CreatedWebhook[]) {
        if (flags.json) return printJson(done);
        if (flags.quiet) return;
        const one = done.length === 1;
        const verb = flags.operation === 'SCALEUP' ? 'scale up' : 'redeploy';
        const shown = flags.signed
          ? `${one ? 'This URL and its signing secret are' : 'These URLs and signing secrets are'} shown only this once: copy them now.`
          : `${one ? 'This URL is' : 'These URLs are'} shown only this once: copy ${one ? 'it' : 'them'} now.`;
        const who = flags.signed
          ? `Calls signed with ${one ? 'the' : 'a'} secret`
          : `Anyone who has ${one ? 'it' : 'one'}`;
        out(style.yellow(`${shown} ${who} can ${verb} ${service.name}.`));
      }
    },
  );

  withExamples(
    withOutputFlags(
      webhook
        .command('ls')
        .alias('list')
        .description("List a service's webhook handlers")
        .argument('<SERVICE>', 'id, unique id prefix, or name')
        .option('-a, --all', 'include revoked handlers'),
    ),
    'hoist webhook ls web',
    'hoist webhook ls web --all',
    'hoist webhook ls web -q',
  ).action(async (ref: string, flags: OutputFlags & { all?: boolean }) => {
    const client = await connect();
    const service = await resolveService(client, ref);
    const { webhooks } = await client.listWebhooks(service.id);
    const shown = flags.all ? webhooks : webhooks.filter((w) => w.revokedAt === null);
    if (flags.json) return printJson(shown);
    if (flags.quiet) return shown.forEach((w) => out(w.id));
    const now = Date.now();
    const headers = [
      'ID',
      'NAME',
      'OPERATION',
      'SIGNED',
      'LIMIT',
      'CREATED',
      'LAST CALLED',
      'CALLS',
    ];
    out(
      table(
        flags.all ? [...headers, 'REVOKED'] : headers,
        shown.map((w) => {
          const row = [
            shortId(w.id),
            w.name,
            w.operation,
            signedText(w),
            rateLimitText(w),
            relativeTime(w.createdAt, now),
            relativeTime(w.lastCalledAt, now),
            String(w.callCount),
          ];
          return flags.all ? [...row, relativeTime(w.revokedAt, now, '-')] : row;
        }),
      ),
    );
  });

  withExamples(
    webhook
      .command('rm')
      .alias('remove')
      .description('Revoke webhook handlers: their URLs answer 404 from the next call on')
      .argument('<SERVICE>', 'id, unique id prefix, or name')
      .argument('<HANDLER...>', 'handler ids, unique id prefixes, or names'),
    'hoist webhook rm web ci',
    'hoist webhook rm web 5c1d0e2a "docker hub"',
  ).action(async (ref: string, handlerRefs: string[]) => {
    const client = await connect();
    const service = await resolveService(client, ref);
    const handlers = await resolveWebhooks(client, service, handlerRefs);
    for (const handler of handlers) {
      try {
        await client.revokeWebhook(service.id, handler.id);
        out(`Revoked "${handler.name}" (${shortId(handler.id)}): its URL now answers 404.`);
      } catch (error) {
        if (!(error instanceof CliError) || handlers.length === 1) throw error;
        err(`hoist: ${handler.name}: ${error.message}`);
        process.exitCode = 1;
      }
    }
  });
}

/** The signatures a handler accepts: "any", "standard-webhooks", or "-" when unsigned. */
function signedText(webhook: Webhook): string {
  if (!webhook.signed) return '-';
  // A server from before signatureScheme leaves it out: it accepted any.
  return webhook.signatureScheme ?? 'any';
}

/** "60/min", or "-" for a handler without a limit. */
function rateLimitText(webhook: Webhook): string {
  // typeof: a server from before rate limits leaves the field out.
  return typeof webhook.rateLimitPerMinute === 'number' ? `${webhook.rateLimitPerMinute}/min` : '-';
}

function positive(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) {
    throw new InvalidArgumentError('use a whole number from 1.');
  }
  return Number(value);
}

function operation(value: string): WebhookOperation {
  const upper = value.trim().toUpperCase();
  if (upper !== 'REDEPLOY' && upper !== 'SCALEUP') {
    throw new InvalidArgumentError('use REDEPLOY or SCALEUP.');
  }
  return upper;
}
