import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ApiClient } from '../api-client.js';
import type { CreateServiceRequest, Enqueued, Service } from '../api-types.js';
import { CliError } from '../cli-error.js';
import { connect } from '../cli-config.js';
import { collect, withExamples, withOutputFlags, type OutputFlags } from '../command-helpers.js';
import { followAction, reportEnd } from '../follow-action.js';
import {
  details,
  err,
  out,
  printJson,
  relativeTime,
  shortDigest,
  shortId,
  styleFor,
  table,
} from '../output.js';
import { resolveService, resolveServices } from '../resolve.js';

export function registerServiceCommands(program: Command): void {
  const service = program
    .command('service')
    .description('List, inspect, redeploy, scale, create and remove services');
  withExamples(
    service,
    'hoist service ls',
    'hoist service redeploy web --sync',
    'hoist service scale web 3',
  );

  withExamples(
    withOutputFlags(
      service.command('ls').alias('list').description('List the services on the engine'),
    ),
    'hoist service ls',
    'hoist service ls -q',
    'hoist service ls --json',
  ).action(async (flags: OutputFlags) => {
    const client = await connect();
    const { services } = await client.listServices();
    if (flags.json) return printJson(services);
    if (flags.quiet) return services.forEach((s) => out(s.id));
    out(
      table(
        ['ID', 'NAME', 'KIND', 'REPLICAS', 'IMAGE', 'DIGEST'],
        services.map((s) => [
          shortId(s.id),
          s.self ? `${s.name} (Hoist itself)` : s.name,
          s.kind,
          replicas(s),
          s.imageRef || '-',
          shortDigest(s.digest),
        ]),
      ),
    );
  });

  withExamples(
    service
      .command('inspect')
      .description('Show one service: its image, digest and containers (or Swarm tasks)')
      .argument('<SERVICE>', 'id, unique id prefix, or name')
      .option('--json', 'print the API object as JSON'),
    'hoist service inspect web',
    'hoist service inspect 3f2a --json',
  ).action(async (ref: string, flags: OutputFlags) => {
    const client = await connect();
    const found = await resolveService(client, ref);
    if (flags.json) return printJson(found);
    printService(found);
  });

  withExamples(
    withOutputFlags(
      service
        .command('redeploy')
        .description("Pull the newest image for each service's tag and replace its containers")
        .argument('<SERVICE...>', 'ids, unique id prefixes, or names')
        .option(
          '--not-reuse-volumes',
          "give the new containers fresh anonymous volumes instead of the old ones'",
        )
        .option('--sync', 'follow each redeploy live; exit 1 if one does not succeed'),
      'print only action ids, one per line',
    ),
    'hoist service redeploy web',
    'hoist service redeploy web worker --sync',
    'hoist service redeploy web --not-reuse-volumes',
  ).action(
    async (refs: string[], flags: OutputFlags & { notReuseVolumes?: boolean; sync?: boolean }) => {
      const client = await connect();
      const services = await resolveServices(client, refs);
      const started: Started[] = [];
      for (const s of services) {
        try {
          const options = { reuseVolumes: !flags.notReuseVolumes };
          started.push({ service: s, enqueued: await client.redeployService(s.id, options) });
        } catch (error) {
          // One refused service must not hide the redeploys already started for the others.
          if (!(error instanceof CliError) || services.length === 1) throw error;
          err(`hoist: ${s.name}: ${error.message}`);
          process.exitCode = 1;
        }
      }
      await reportStarted(client, started, 'redeploy', flags);
    },
  );

  withExamples(
    withOutputFlags(
      service
        .command('scale')
        .description('Set the number of containers (standalone) or replicas (Swarm) of a service')
        .argument('<SERVICE>', 'id, unique id prefix, or name')
        .argument('<N>', 'how many, from 0 to 100', count)
        .option('--sync', 'follow the scale action live; exit 1 if it does not succeed'),
      'print only the action id',
    ),
    'hoist service scale web 3',
    'hoist service scale web 0 --sync',
  ).action(async (ref: string, replicas: number, flags: OutputFlags & { sync?: boolean }) => {
    const client = await connect();
    const found = await resolveService(client, ref);
    const enqueued = await client.scaleService(found.id, replicas);
    await reportStarted(client, [{ service: found, enqueued }], `scale to ${replicas}`, flags);
  });

  withExamples(
    withOutputFlags(
      service
        .command('create')
        .description(
          'Create a service: a Swarm service on a swarm engine, labelled containers on a standalone one',
        )
        .argument('<IMAGE>', 'image reference, e.g. registry.example.com/app:latest')
        .option('-n, --name <NAME>', 'service name (default: the image repository)')
        .option('-r, --replicas <N>', 'how many containers or replicas (default 1)', count)
        .option(
          '-e, --env <KEY=VALUE>',
          'environment variable (repeatable; KEY alone takes it from your environment)',
          collect,
        )
        .option('-p, --publish <PUBLISHED:TARGET[/udp]>', 'publish a port (repeatable)', collect)
        .option(
          '-v, --volume <SOURCE:TARGET[:ro]>',
          'mount a named volume or an absolute host path (repeatable)',
          collect,
        )
        .option('--network <NAME>', 'attach to a network (repeatable)', collect)
        .option('-l, --label <KEY=VALUE>', 'label (repeatable)', collect)
        .addOption(
          new Option('--restart <POLICY>', 'restart policy').choices([
            'no',
            'always',
            'unless-stopped',
            'on-failure',
          ]),
        ),
      'print only the new service id',
    ),
    'hoist service create registry.example.com/web:latest -n web -p 8080:80',
    'hoist service create redis:7 -r 2 -e MAXMEMORY=256mb -v redis-data:/data --restart always',
  ).action(async (image: string, flags: CreateFlags) => {
    const client = await connect();
    const created = await client.createService(createRequest(image, flags));
    if (flags.json) return printJson(created);
    if (flags.quiet) return out(created.id);
    out(`Created service ${created.name} (${shortId(created.id)}) from ${image}.`);
    out(`Give it a webhook with: hoist webhook create ${created.name} -n NAME`);
  });

  withExamples(
    withOutputFlags(
      service
        .command('update')
        .description("Change a service's settings in Hoist")
        .argument('<SERVICE>', 'id, unique id prefix, or name')
        .option(
          '--allow-self-redeploy',
          'let handlers, registry pushes and the API redeploy, scale or remove the service Hoist itself runs in',
        )
        .option(
          '--no-allow-self-redeploy',
          'leave the service Hoist runs in alone again (the default)',
        ),
      'print only the service id',
    ),
    'hoist service update hoist --allow-self-redeploy',
  ).action(async (ref: string, flags: OutputFlags & { allowSelfRedeploy?: boolean }) => {
    if (flags.allowSelfRedeploy === undefined) {
      throw new CliError(
        'nothing to change: give --allow-self-redeploy or --no-allow-self-redeploy.',
      );
    }
    const client = await connect();
    const found = await resolveService(client, ref);
    const updated = await client.updateService(found.id, {
      allowSelfRedeploy: flags.allowSelfRedeploy,
    });
    if (flags.json) return printJson(updated);
    if (flags.quiet) return out(updated.id);
    out(
      updated.allowSelfRedeploy
        ? `${updated.name}: handlers, registry pushes and the API may now redeploy, scale or remove it.`
        : `${updated.name}: Hoist leaves it alone if it is the service Hoist runs in.`,
    );
  });

  withExamples(
    service
      .command('rm')
      .alias('remove')
      .description('Remove services Hoist created (others are refused and left alone)')
      .argument('<SERVICE...>', 'ids, unique id prefixes, or names'),
    'hoist service rm web',
  ).action(async (refs: string[]) => {
    const client = await connect();
    const services = await resolveServices(client, refs);
    for (const s of services) {
      try {
        await client.deleteService(s.id);
        out(`Removed service ${s.name} (${shortId(s.id)}).`);
      } catch (error) {
        if (!(error instanceof CliError) || services.length === 1) throw error;
        err(`hoist: ${s.name}: ${error.message}`);
        process.exitCode = 1;
      }
    }
  });
}

interface Started {
  service: Service;
  enqueued: Enqueued;
}

/** What redeploy and scale print: the actions they started, then (with --sync) how each ended. */
async function reportStarted(
  client: ApiClient,
  started: Started[],
  what: string,
  flags: OutputFlags & { sync?: boolean },
): Promise<void> {
  const style = styleFor(process.stdout);
  if (flags.quiet) started.forEach(({ enqueued }) => out(enqueued.action.id));
  else if (!flags.json) {
    for (const { service, enqueued } of started) {
      const id = shortId(enqueued.action.id);
      out(
        enqueued.coalesced
          ? `${service.name}: joined the ${what} already waiting, action ${style.bold(id)} (${enqueued.action.state})`
          : `${service.name}: ${what} started, action ${style.bold(id)} (${enqueued.action.state})`,
      );
    }
    if (!flags.sync) {
      const first = started[0]?.enqueued.action.id;
      if (first) out(style.dim(`Follow it with: hoist action logs -f ${shortId(first)}`));
    }
  }
  if (!flags.sync) {
    if (flags.json) {
      printJson(started.map(({ service, enqueued }) => ({ serviceId: service.id, ...enqueued })));
    }
    return;
  }
  const ended = [];
  for (const { service, enqueued } of started) {
    if (!flags.json && !flags.quiet && started.length > 1) out(style.bold(`\n${service.name}:`));
    const action = await followAction(
      client,
      enqueued.action.id,
      flags.json || flags.quiet ? 'silent' : 'lines',
    );
    ended.push({ serviceId: service.id, action, coalesced: enqueued.coalesced });
    if (reportEnd(action, flags.json || flags.quiet) !== 0) process.exitCode = 1;
  }
  if (flags.json) printJson(ended);
}

function printService(s: Service): void {
  const pairs: [string, string][] = [
    ['ID', s.id],
    ['Name', s.name],
    ['Kind', s.kind],
    ['Engine', s.engineId],
    ['Image', s.imageRef || '-'],
    ['Digest', s.digest ?? '-'],
    ['Present', s.present ? 'yes' : 'no (the engine has no containers for it now)'],
    ['Replicas', replicas(s)],
  ];
  if (s.createdByHoist !== undefined)
    pairs.push(['Created by Hoist', s.createdByHoist ? 'yes' : 'no']);
  if (s.self) {
    pairs.push([
      'Hoist itself',
      s.allowSelfRedeploy
        ? 'yes: it may be redeployed, scaled or removed (allowSelfRedeploy)'
        : 'yes: left alone (hoist service update --allow-self-redeploy lets it change)',
    ]);
  }
  out(details(pairs));
  if (s.swarm) {
    out('\nTasks:');
    out(
      table(
        ['ID', 'SLOT', 'NODE', 'STATE', 'DESIRED', 'ERROR'],
        s.swarm.tasks.map((t) => [
          t.id.slice(0, 12),
          t.slot === null ? '-' : String(t.slot),
          t.node ?? '-',
          t.state,
          t.desiredState,
          t.error ?? '',
        ]),
      ),
    );
  } else if (s.containers.length > 0) {
    out('\nContainers:');
    out(
      table(
        ['ID', 'NAME', 'STATE', 'HEALTH', 'DIGEST', 'STARTED'],
        s.containers.map((c) => [
          c.id.slice(0, 12),
          c.name,
          c.state,
          c.health,
          shortDigest(c.digest),
          relativeTime(c.startedAt, Date.now(), '-'),
        ]),
      ),
    );
  }
}

/** "running/total" containers, or Swarm "running/desired" tasks. */
function replicas(s: Service): string {
  if (s.swarm) return `${s.swarm.runningTasks}/${s.swarm.desiredReplicas ?? 'global'}`;
  return `${s.containers.filter((c) => c.running).length}/${s.containers.length}`;
}

function count(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n > 100) {
    throw new InvalidArgumentError('use a whole number from 0 to 100.');
  }
  return n;
}

interface CreateFlags extends OutputFlags {
  name?: string;
  replicas?: number;
  env?: string[];
  publish?: string[];
  volume?: string[];
  network?: string[];
  label?: string[];
  restart?: CreateServiceRequest['restartPolicy'];
}

/** The API body for `service create`; every malformed flag is reported before anything is sent. */
function createRequest(image: string, flags: CreateFlags): CreateServiceRequest {
  const name = flags.name ?? nameFromImage(image);
  return {
    name,
    image,
    ...(flags.replicas === undefined ? {} : { replicas: flags.replicas }),
    ...(flags.env ? { env: Object.fromEntries(flags.env.map(envPair)) } : {}),
    ...(flags.publish ? { ports: flags.publish.map(port) } : {}),
    ...(flags.volume ? { volumes: flags.volume.map(volume) } : {}),
    ...(flags.network ? { networks: flags.network } : {}),
    ...(flags.label ? { labels: Object.fromEntries(flags.label.map(labelPair)) } : {}),
    ...(flags.restart ? { restartPolicy: flags.restart } : {}),
  };
}

/** registry.example.com:5000/team/web:1.2@sha256:… -> web */
function nameFromImage(image: string): string {
  const path = image.split('@')[0]!;
  const lastSegment = path.slice(path.lastIndexOf('/') + 1);
  const repo = lastSegment.split(':')[0]!;
  const name = repo.toLowerCase().replace(/[^a-z0-9_.-]/g, '-');
  if (!name)
    throw new CliError(`cannot make a service name from "${image}": give one with -n NAME.`);
  return name;
}

function envPair(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq > 0) return [text.slice(0, eq), text.slice(eq + 1)];
  if (eq === 0) throw new CliError(`-e "${text}": the variable needs a name (KEY=VALUE).`);
  const value = process.env[text];
  if (value === undefined) {
    throw new CliError(
      `-e ${text}: ${text} is not set in your environment; give it as ${text}=VALUE.`,
    );
  }
  return [text, value];
}

function labelPair(text: string): [string, string] {
  const eq = text.indexOf('=');
  return eq < 0 ? [text, ''] : [text.slice(0, eq), text.slice(eq + 1)];
}

function port(text: string) {
  const match = /^(\d+):(\d+)(?:\/(tcp|udp))?$/.exec(text.trim());
  if (!match)
    throw new CliError(`-p "${text}": use PUBLISHED:TARGET or PUBLISHED:TARGET/udp, e.g. 8080:80.`);
  return {
    published: Number(match[1]),
    target: Number(match[2]),
    ...(match[3] ? { protocol: match[3] as 'tcp' | 'udp' } : {}),
  };
}

function volume(text: string) {
  const parts = text.split(':');
  const mode = parts.length === 3 ? parts[2] : undefined;
  if (
    parts.length < 2 ||
    parts.length > 3 ||
    !parts[0] ||
    !parts[1] ||
    (mode && mode !== 'ro' && mode !== 'rw')
  ) {
    throw new CliError(
      `-v "${text}": use SOURCE:TARGET or SOURCE:TARGET:ro, e.g. data:/var/lib/data.`,
    );
  }
  return { source: parts[0], target: parts[1], ...(mode === 'ro' ? { readOnly: true } : {}) };
}
