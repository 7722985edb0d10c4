/**
 * The built `hoist` CLI (dist/, as `npx hoist` runs it), as a subprocess,
 * against a real Hoist server (startTestServer: in process, real port) on the
 * private test engine with real containers: login and its config file, the
 * handler round trip (create two, list three ways, remove one by name, its URL
 * answers 404), --rate-limit (kept, shown, bad values refused), --signed and
 * --signature-scheme (the secret printed once, the scheme kept), redeploys
 * followed live with --sync that end 0 on success and 1 on a broken image,
 * SERVICE resolution errors, services, actions, engines, --help on every
 * command, and the bash completion script.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  EXIT_AT_ONCE_CMD,
  buildAndPushTestImage,
  cleanupTestContainers,
  TEST_LABEL,
  testEngineEnv,
  type PushedTestImage,
} from '../support/test-engine.js';
import { runCli, type CliRun } from '../support/cli-process.js';
import { REPO_ROOT } from '../support/repo-root.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { gitHubSignature } from '../support/registry-payloads.js';
import { findService, runTestContainer, type ApiService } from '../support/scenario.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: TestServer;
let home: string;
let web: PushedTestImage;

/** Runs `node bin/hoist.js ...args` with a clean environment: no HOIST_* but what is given. */
function hoist(
  args: string[],
  options: { env?: Record<string, string>; login?: boolean; input?: string } = {},
): Promise<CliRun> {
  return runCli(args, {
    entry: 'bin',
    home,
    input: options.input,
    env: {
      ...(options.login === false ? {} : { HOIST_URL: server.url, HOIST_TOKEN: server.token }),
      ...options.env,
    },
  });
}

/** Runs hoist and fails, showing its output, unless it exits 0. */
async function ok(args: string[], options: Parameters<typeof hoist>[1] = {}): Promise<string> {
  const run = await hoist(args, options);
  assert.equal(
    run.code,
    0,
    `hoist ${args.join(' ')} exited ${run.code}:\n${run.stderr}${run.stdout}`,
  );
  return run.stdout;
}

/** Runs hoist and expects a non-zero exit with a message on stderr (and nothing on stdout). */
async function fails(args: string[], options: Parameters<typeof hoist>[1] = {}): Promise<string> {
  const run = await hoist(args, options);
  assert.notEqual(run.code, 0, `hoist ${args.join(' ')} should fail; stdout:\n${run.stdout}`);
  assert.match(run.stderr, /\S/, 'an error says why on stderr');
  return run.stderr;
}

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

before(async () => {
  // What `npm run build` runs. Type errors elsewhere in the tree (others' work in
  // progress) still emit JavaScript; only errors in the CLI itself fail this file.
  const started = Date.now();
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const cliErrors = (build.stdout + build.stderr)
    .split('\n')
    .filter((line) => line.startsWith('src/cli/'));
  assert.deepEqual(cliErrors, [], 'the CLI compiles without type errors');
  const built = await stat(path.join(REPO_ROOT, 'dist', 'cli', 'main.js'));
  assert.ok(built.mtimeMs >= started - 1000, `the build wrote dist/cli/main.js:\n${build.stdout}`);

  await cleanupTestContainers();
  home = await mkdtemp(path.join(tmpdir(), 'hoist-cli-home-'));
  server = await startTestServer();
  [web] = await Promise.all([
    buildAndPushTestImage({ repo: 'hoist-test/cli-web', tag: 'latest', version: 'web v1' }),
    buildAndPushTestImage({ repo: 'hoist-test/cli-broken', tag: 'latest', version: 'broken v1' }),
  ]);
  // busybox httpd as pid 1 ignores SIGTERM: a short StopTimeout keeps redeploys quick.
  await runTestContainer({ name: 'cli-web', Image: web.ref, StopTimeout: 1 });
  await runTestContainer({
    name: 'cli-broken',
    Image: `${testEngineEnv().registry}/hoist-test/cli-broken:latest`,
    StopTimeout: 1,
  });
  // Two services with one name: a plain container "cli-dup" and Compose project cli, service dup.
  await runTestContainer({ name: 'cli-dup', Image: web.ref, StopTimeout: 1 });
  await runTestContainer({
    name: 'cli-dup-1',
    Image: web.ref,
    StopTimeout: 1,
    Labels: { 'com.docker.compose.project': 'cli', 'com.docker.compose.service': 'dup' },
  });
});

after(async () => {
  await server?.close();
  await cleanupTestContainers();
  if (home) await rm(home, { recursive: true, force: true });
});

describe('hoist login', () => {
  test('a wrong token is refused and nothing is saved', async () => {
    const stderr = await fails(['login', server.url, '--token', 'hoist_wrong'], { login: false });
    assert.match(stderr, /refused this API token/);
    assert.match(stderr, /Nothing was saved/);
    assert.equal(existsSync(path.join(home, 'config', 'hoist', 'config.json')), false);
  });

  test('without a token and without a terminal it says how to give one', async () => {
    const stderr = await fails(['login', server.url], { login: false });
    assert.match(stderr, /--token/);
  });

  test('a good token is saved 0600 in a 0700 directory and used by later commands', async () => {
    const stdout = await ok(['login', server.url, '--token-stdin'], {
      login: false,
      input: `${server.token}\n`,
    });
    assert.match(stdout, /Logged in to http:\/\/127\.0\.0\.1:\d+/);
    const file = path.join(home, 'config', 'hoist', 'config.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(file))).mode & 0o777, 0o700);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), {
      url: server.url,
      token: server.token,
    });

    assert.equal((await ok(['engine', 'ls', '-q'], { login: false })).trim(), 'local');

    // HOIST_URL overrides the file, and the saved token is never sent to another server.
    const other = await fails(['engine', 'ls'], {
      login: false,
      env: { HOIST_URL: 'http://127.0.0.1:1' },
    });
    assert.match(other, /no API token for http:\/\/127\.0\.0\.1:1/);

    assert.match(await ok(['logout'], { login: false }), /Removed/);
    assert.equal(existsSync(file), false);
  });

  test('a server that is not running gets a clear message', async () => {
    const stderr = await fails(['service', 'ls'], {
      env: { HOIST_URL: 'http://127.0.0.1:1' },
    });
    assert.match(
      stderr,
      /cannot reach Hoist at http:\/\/127\.0\.0\.1:1 .*is `hoist server` running\? Set HOIST_URL or run `hoist login URL`/,
    );
  });
});

describe('hoist engine and service', () => {
  test('engine ls: table, -q and --json', async () => {
    const table = await ok(['engine', 'ls']);
    assert.match(lines(table)[0]!, /^ID\s+HOST\s+MODE\s+VERSION\s+API\s+STATUS$/);
    assert.match(table, /^local\s+unix:\/\/\S+\s+standalone\s+.*reachable$/m);
    const [engine] = JSON.parse(await ok(['engine', 'ls', '--json'])) as { reachable: boolean }[];
    assert.equal(engine?.reachable, true);
  });

  test('service ls: table, -q and --json agree', async () => {
    const json = JSON.parse(await ok(['service', 'ls', '--json'])) as ApiService[];
    const names = json.map((s) => s.name).sort();
    assert.deepEqual(names, ['cli-broken', 'cli-dup', 'cli-dup', 'cli-web']);
    const ids = lines(await ok(['service', 'ls', '-q']));
    assert.deepEqual([...ids].sort(), json.map((s) => s.id).sort());
    assert.ok(ids.every((id) => UUID.test(id)));

    const table = lines(await ok(['service', 'ls']));
    assert.match(table[0]!, /^ID\s+NAME\s+KIND\s+REPLICAS\s+IMAGE\s+DIGEST$/);
    const row = table.find((l) => / cli-web /.test(l));
    const cliWeb = json.find((s) => s.name === 'cli-web')!;
    assert.match(
      row ?? '',
      new RegExp(`^${cliWeb.id.slice(0, 8)}\\s+cli-web\\s+container\\s+1/1\\s+`),
    );
  });

  test('service inspect by name, by id prefix, and as JSON', async () => {
    const service = await findService(server, 'cli-web');
    const byName = await ok(['service', 'inspect', 'cli-web']);
    assert.match(byName, new RegExp(`^ID:\\s+${service.id}$`, 'm'));
    assert.match(byName, /^Containers:$/m);
    assert.match(byName, /cli-web\s+running/);
    const byPrefix = JSON.parse(
      await ok(['service', 'inspect', service.id.slice(0, 6), '--json']),
    ) as ApiService;
    assert.equal(byPrefix.id, service.id);
    assert.equal(byPrefix.containers[0]?.name, 'cli-web');
  });

  test('an ambiguous name lists the candidates; an unknown one says what was searched', async () => {
    const dup = (
      await server.api<{ services: ApiService[] }>('GET', '/api/v1/services')
    ).body.services
      .filter((s) => s.name === 'cli-dup')
      .map((s) => s.id);
    assert.equal(dup.length, 2);
    for (const args of [
      ['service', 'inspect', 'cli-dup'],
      ['service', 'redeploy', 'cli-web', 'cli-dup'],
      ['webhook', 'ls', 'cli-dup'],
    ]) {
      const stderr = await fails(args);
      assert.match(stderr, /"cli-dup" is ambiguous: it is the name of 2 services/);
      for (const id of dup) assert.ok(stderr.includes(id.slice(0, 8)), `${id} listed:\n${stderr}`);
    }
    const unknown = await fails(['service', 'inspect', 'no-such-service']);
    assert.match(unknown, /no service has the id, id prefix or name "no-such-service"/);
    assert.match(unknown, /searched the 4 services on http:\/\/127\.0\.0\.1:\d+/);
    assert.match(await fails(['service', 'inspect', 'web']), /Did you mean "cli-web"\?/);
    // Nothing was redeployed for the command that named an ambiguous service.
    const actions = JSON.parse(await ok(['action', 'ls', '--json'])) as unknown[];
    assert.equal(actions.length, 0);
  });
});

describe('hoist service update', () => {
  test('--allow-self-redeploy and --no-allow-self-redeploy set the service in Hoist; no flag is refused', async () => {
    const service = await findService(server, 'cli-web');
    const setting = async () =>
      (await server.api<{ allowSelfRedeploy: boolean }>('GET', `/api/v1/services/${service.id}`))
        .body.allowSelfRedeploy;
    assert.match(
      await ok(['service', 'update', 'cli-web', '--allow-self-redeploy']),
      /^cli-web: handlers, registry pushes and the API may now redeploy, scale or remove it\.$/m,
    );
    assert.equal(await setting(), true);
    assert.equal(
      (await ok(['service', 'update', 'cli-web', '--no-allow-self-redeploy', '-q'])).trim(),
      service.id,
    );
    assert.equal(await setting(), false);
    assert.match(
      await fails(['service', 'update', 'cli-web']),
      /nothing to change: give --allow-self-redeploy or --no-allow-self-redeploy/,
    );
  });
});

describe('hoist webhook (and its alias trigger)', () => {
  test('create two handlers in one command, list them three ways, remove one by name', async () => {
    const created = await ok(['webhook', 'create', 'cli-web', '-n', 'docker hub', '-n', 'ci']);
    const urls = created.match(/http:\/\/127\.0\.0\.1:\d+\/hooks\/\S+/g) ?? [];
    assert.equal(urls.length, 2, created);
    assert.match(created, /shown only this once/);
    assert.match(created, /handler "docker hub"/);
    assert.match(created, /handler "ci"/);

    const ids = lines(await ok(['webhook', 'ls', 'cli-web', '-q']));
    assert.equal(ids.length, 2);
    assert.ok(ids.every((id) => UUID.test(id)));
    const json = JSON.parse(await ok(['trigger', 'ls', 'cli-web', '--json'])) as {
      id: string;
      name: string;
      operation: string;
      rateLimitPerMinute: number | null;
    }[];
    assert.deepEqual(json.map((w) => w.name).sort(), ['ci', 'docker hub']);
    assert.deepEqual(json.map((w) => w.id).sort(), [...ids].sort());
    assert.deepEqual(
      json.map((w) => w.rateLimitPerMinute),
      [null, null],
      'no --rate-limit: no limit',
    );
    const table = lines(await ok(['webhook', 'ls', 'cli-web']));
    assert.match(
      table[0]!,
      /^ID\s+NAME\s+OPERATION\s+SIGNED\s+LIMIT\s+CREATED\s+LAST CALLED\s+CALLS$/,
    );
    const ci = json.find((w) => w.name === 'ci')!;
    assert.ok(
      table.some((l) =>
        new RegExp(
          `^${ci.id.slice(0, 8)}\\s+ci\\s+REDEPLOY\\s+-\\s+-\\s+(just now|\\d+ seconds? ago)\\s+never\\s+0$`,
        ).test(l),
      ),
      table.join('\n'),
    );

    // A second "ci" is refused with the API's own message, and nothing is printed as created.
    const taken = await fails(['webhook', 'create', 'cli-web', '-n', 'ci']);
    assert.match(taken, /already has a webhook named "ci"/);

    const ciUrl = urls.find((u) => created.indexOf(u) > created.indexOf('handler "ci"'))!;
    const hubUrl = urls.find((u) => u !== ciUrl)!;
    const removed = await ok(['trigger', 'rm', 'cli-web', 'ci']);
    assert.match(removed, /Revoked "ci"/);
    assert.equal((await fetch(ciUrl, { method: 'POST' })).status, 404);
    assert.deepEqual(lines(await ok(['webhook', 'ls', 'cli-web', '-q'])), [
      json.find((w) => w.name === 'docker hub')!.id,
    ]);
    assert.match(await ok(['webhook', 'ls', 'cli-web', '--all']), /REVOKED/);
    const again = await fails(['webhook', 'rm', 'cli-web', 'ci']);
    assert.match(
      again,
      /no webhook handler has the id, id prefix or name "ci" \(searched the 1 active webhook handler of service cli-web\)/,
    );

    // The remaining URL still redeploys; follow that action with `action logs -f`.
    const call = await fetch(hubUrl, { method: 'POST' });
    assert.equal(call.status, 202);
    const { action } = (await call.json()) as { action: { id: string } };
    const followed = await ok(['action', 'logs', '-f', action.id.slice(0, 8)]);
    assert.match(followed, /^\s+\d+\.\ds {2}\S/m, 'each log line starts with the elapsed time');
    assert.match(followed, /redeploy Success in \d/);
    assert.equal(followed.split('\n').filter((l) => /Redeploy succeeded/.test(l)).length, 1);
  });

  test('-q prints only the URLs; SCALEUP handlers show their operation', async () => {
    const quiet = lines(
      await ok(['webhook', 'create', 'cli-web', '-n', 'grow', '-o', 'scaleup', '-q']),
    );
    assert.equal(quiet.length, 1);
    assert.match(quiet[0]!, /^http:\/\/127\.0\.0\.1:\d+\/hooks\/\S+$/);
    assert.match(await ok(['webhook', 'ls', 'cli-web']), /\sgrow\s+SCALEUP\s/);
    await ok(['webhook', 'rm', 'cli-web', 'grow']);
  });

  test('--rate-limit: kept by the server, shown on create, in the table and in --json', async () => {
    // One limit for every handler of the command.
    const created = await ok([
      'webhook',
      'create',
      'cli-web',
      '-n',
      'limited',
      '-n',
      'limited too',
      '--rate-limit',
      '60',
    ]);
    assert.match(
      created,
      /^REDEPLOY handler "limited" \([0-9a-f]{8}\) for cli-web, at most 60 calls a minute:$/m,
    );
    assert.match(created, /^REDEPLOY handler "limited too" .*, at most 60 calls a minute:$/m);

    const [burst, ...more] = JSON.parse(
      await ok([
        'trigger',
        'create',
        'cli-web',
        '-n',
        'burst',
        '-o',
        'SCALEUP',
        '--rate-limit',
        '2',
        '--json',
      ]),
    ) as {
      webhook: { id: string; name: string; rateLimitPerMinute: number | null };
      url: string;
    }[];
    assert.equal(more.length, 0);
    assert.equal(burst?.webhook.name, 'burst');
    assert.equal(burst.webhook.rateLimitPerMinute, 2);

    const listed = JSON.parse(await ok(['webhook', 'ls', 'cli-web', '--json'])) as {
      id: string;
      name: string;
      rateLimitPerMinute: number | null;
    }[];
    const limitOf = (name: string) => listed.find((w) => w.name === name)?.rateLimitPerMinute;
    assert.equal(limitOf('limited'), 60);
    assert.equal(limitOf('limited too'), 60);
    assert.equal(limitOf('burst'), 2);
    assert.equal(limitOf('docker hub'), null, 'a handler made without --rate-limit has none');

    const table = lines(await ok(['webhook', 'ls', 'cli-web']));
    const rowOf = (name: string) => {
      const id = listed.find((w) => w.name === name)!.id.slice(0, 8);
      return (
        table.find((l) => l.startsWith(`${id} `)) ?? `no row for ${name}:\n${table.join('\n')}`
      );
    };
    assert.match(
      rowOf('limited'),
      /^[0-9a-f]{8}\s+limited\s+REDEPLOY\s+-\s+60\/min\s+(just now|\d+ seconds? ago)\s/,
    );
    assert.match(rowOf('burst'), /^[0-9a-f]{8}\s+burst\s+SCALEUP\s+-\s+2\/min\s/);
    assert.match(rowOf('docker hub'), /^[0-9a-f]{8}\s+docker hub\s+REDEPLOY\s+-\s+-\s/);

    await ok(['webhook', 'rm', 'cli-web', 'limited', 'limited too', 'burst']);
  });

  test('--signed --signature-scheme standard-webhooks: the secret printed once, the scheme kept and shown', async () => {
    const created = await ok([
      'webhook',
      'create',
      'cli-web',
      '-n',
      'sw only',
      '--signed',
      '--signature-scheme',
      'standard-webhooks',
    ]);
    assert.match(
      created,
      /^REDEPLOY handler "sw only" \([0-9a-f]{8}\) for cli-web, signed \(Standard Webhooks only\):$/m,
    );
    const url = /http:\/\/127\.0\.0\.1:\d+\/hooks\/\S+/.exec(created)?.[0] ?? '';
    const secret = /^ {2}signing secret: (whsec_\S+)$/m.exec(created)?.[1] ?? '';
    assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/, created);
    assert.match(created, /This URL and its signing secret are shown only this once/);
    await ok(['webhook', 'create', 'cli-web', '-n', 'signed any', '--signed']);

    const listed = JSON.parse(await ok(['webhook', 'ls', 'cli-web', '--json'])) as {
      id: string;
      name: string;
      signed: boolean;
      signatureScheme: string;
    }[];
    const byName = (name: string) => listed.find((w) => w.name === name)!;
    assert.equal(byName('sw only').signatureScheme, 'standard-webhooks');
    assert.equal(byName('signed any').signatureScheme, 'any');
    assert.equal(byName('signed any').signed, true);
    const table = lines(await ok(['webhook', 'ls', 'cli-web']));
    const rowOf = (name: string) =>
      table.find((l) => l.startsWith(`${byName(name).id.slice(0, 8)} `)) ?? table.join('\n');
    assert.match(rowOf('sw only'), /^[0-9a-f]{8}\s+sw only\s+REDEPLOY\s+standard-webhooks\s+-\s/);
    assert.match(rowOf('signed any'), /^[0-9a-f]{8}\s+signed any\s+REDEPLOY\s+any\s+-\s/);

    // A GitHub-signed call is refused; the secret itself is right.
    const body = '{}';
    const github = await fetch(url, {
      method: 'POST',
      headers: { 'x-hub-signature-256': gitHubSignature(secret, body) },
      body,
    });
    assert.equal(github.status, 401);
    assert.match(await github.text(), /accepts Standard Webhooks signatures only/);

    await ok(['webhook', 'rm', 'cli-web', 'sw only', 'signed any']);
  });

  test('--signature-scheme without --signed, and --signed with -q, are refused before the server is asked', async () => {
    for (const args of [
      ['-n', 'bad-scheme', '--signature-scheme', 'standard-webhooks'],
      ['-n', 'bad-scheme', '--signed', '-q'],
      ['-n', 'bad-scheme', '--signed', '--signature-scheme', 'github'],
    ]) {
      const run = await hoist(['webhook', 'create', 'cli-web', ...args]);
      assert.equal(run.code, 1, `${args.join(' ')}:\n${run.stderr}${run.stdout}`);
      assert.equal(run.stdout, '', 'no URL is printed');
      assert.match(run.stderr, /--signed|signature-scheme/, run.stderr);
    }
    const names = (
      JSON.parse(await ok(['webhook', 'ls', 'cli-web', '--all', '--json'])) as { name: string }[]
    ).map((w) => w.name);
    assert.ok(!names.includes('bad-scheme'), `nothing was created: ${names.join(', ')}`);
  });

  test('--rate-limit: 0, words and fractions are refused before the server is asked', async () => {
    for (const bad of ['0', 'abc', '-5', '1.5', '']) {
      const args = ['webhook', 'create', 'cli-web', '-n', 'bad-limit', '--rate-limit', bad];
      const run = await hoist(args);
      assert.equal(run.code, 1, `hoist ${args.join(' ')}:\n${run.stderr}${run.stdout}`);
      assert.equal(run.stdout, '', 'no URL is printed');
      assert.ok(
        run.stderr.includes(
          `option '--rate-limit <N>' argument '${bad}' is invalid. use a whole number from 1.`,
        ),
        run.stderr,
      );
    }
    // Above the server's bound: its own message.
    const tooMany = await fails([
      'webhook',
      'create',
      'cli-web',
      '-n',
      'bad-limit',
      '--rate-limit',
      '100001',
    ]);
    assert.match(tooMany, /rateLimitPerMinute/);
    assert.match(tooMany, /100000/);

    const names = (
      JSON.parse(await ok(['webhook', 'ls', 'cli-web', '--all', '--json'])) as { name: string }[]
    ).map((w) => w.name);
    assert.ok(!names.includes('bad-limit'), `nothing was created: ${names.join(', ')}`);
  });
});

describe('hoist service redeploy --sync and hoist action', () => {
  test('--sync follows a good redeploy to Success and exits 0', async () => {
    await buildAndPushTestImage({ repo: 'hoist-test/cli-web', tag: 'latest', version: 'web v2' });
    const run = await hoist(['service', 'redeploy', 'cli-web', '--sync']);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /^cli-web: redeploy started, action [0-9a-f]{8}/m);
    assert.match(run.stdout, /^\s+\d+\.\ds {2}Pulling /m);
    assert.match(run.stdout, /redeploy Success in \d/);
    assert.ok(!run.stdout.includes('\u001b['), 'no colour and no spinner without a terminal');
    const log = run.stdout.split('\n').filter((l) => /^\s+\d+\.\ds {2}/.test(l));
    assert.equal(new Set(log).size, log.length, 'every log line is printed once');
  });

  test('--sync on an image that exits at once ends Failed: exit 1, reason on stderr', async () => {
    await buildAndPushTestImage({
      repo: 'hoist-test/cli-broken',
      tag: 'latest',
      version: 'broken v2',
      cmd: EXIT_AT_ONCE_CMD,
    });
    const run = await hoist(['service', 'redeploy', 'cli-broken', '--sync']);
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.match(run.stderr, /^hoist: redeploy action [0-9a-f]{8} ended Failed after \S+: \S/m);
    assert.doesNotMatch(run.stdout, /Success/);
  });

  test('action ls, inspect and logs', async () => {
    const all = JSON.parse(await ok(['action', 'ls', '--json'])) as {
      id: string;
      state: string;
      serviceId: string;
    }[];
    assert.deepEqual(all.map((a) => a.state).sort(), ['Failed', 'Success', 'Success']);

    const failed = lines(await ok(['action', 'ls', '--state', 'failed', '-q']));
    assert.equal(failed.length, 1);
    const webOnly = JSON.parse(await ok(['action', 'ls', '--service', 'cli-web', '--json'])) as {
      state: string;
    }[];
    assert.equal(webOnly.length, 2);

    const table = lines(await ok(['action', 'ls']));
    assert.match(table[0]!, /^ID\s+SERVICE\s+TYPE\s+STATE\s+TRIGGER\s+CREATED\s+DURATION$/);
    assert.ok(
      table.some((l) => /\scli-broken\s+redeploy\s+Failed\s+api \(admin, token admin\)\s/.test(l)),
      table.join('\n'),
    );
    assert.ok(
      table.some((l) => /\scli-web\s+redeploy\s+Success\s+webhook "docker hub"\s/.test(l)),
      table.join('\n'),
    );

    const id = failed[0]!;
    const inspected = await ok(['action', 'inspect', id.slice(0, 8)]);
    assert.match(inspected, new RegExp(`^ID:\\s+${id}$`, 'm'));
    assert.match(inspected, /^State:\s+Failed$/m);
    assert.match(inspected, /^Service:\s+cli-broken \(/m);
    assert.match(inspected, /^Reason:\s+\S/m);
    assert.match(inspected, /^Log:$/m);
    const json = JSON.parse(await ok(['action', 'inspect', id, '--json'])) as { log: unknown[] };
    assert.ok(json.log.length > 0);
    const logs = await ok(['action', 'logs', id]);
    assert.equal(lines(logs).length, json.log.length);
    // A finished action followed: its whole log once, then the exit code of its outcome.
    const followed = await hoist(['action', 'logs', '-f', id]);
    assert.equal(followed.code, 1);
    assert.equal(followed.stdout, logs);

    assert.match(await fails(['action', 'inspect', 'ffffffff']), /no action has the id/);
    assert.match(
      await fails(['action', 'ls', '--state', 'sleeping']),
      /Allowed choices|use one of/,
    );
  });
});

describe('hoist service create, scale and rm', () => {
  test('a service Hoist creates can be scaled and removed; others are refused', async () => {
    const id = (
      await ok(['service', 'create', web.ref, '-n', 'cli-made', '-l', `${TEST_LABEL}=1`, '-q'])
    ).trim();
    assert.match(id, UUID);
    const scaled = await hoist(['service', 'scale', 'cli-made', '2', '--sync']);
    assert.equal(scaled.code, 0, scaled.stderr + scaled.stdout);
    const made = JSON.parse(await ok(['service', 'inspect', id, '--json'])) as ApiService;
    assert.equal(made.containers.filter((c) => c.running).length, 2);

    assert.match(await ok(['service', 'rm', 'cli-made']), /Removed service cli-made/);
    assert.match(await fails(['service', 'inspect', 'cli-made']), /no service has/);
    assert.match(await fails(['service', 'rm', 'cli-web']), /\S/);
    assert.match(await ok(['service', 'inspect', 'cli-web']), /running/);
  });
});

describe('help and completion', () => {
  test('--help on every command shows an example', async () => {
    const commands = [
      [],
      ['server'],
      ['login'],
      ['logout'],
      ['service'],
      ...['ls', 'inspect', 'redeploy', 'scale', 'create', 'update', 'rm'].map((c) => [
        'service',
        c,
      ]),
      ['webhook'],
      ...['create', 'ls', 'rm'].map((c) => ['webhook', c]),
      ['trigger', 'create'],
      ['action'],
      ...['ls', 'inspect', 'logs'].map((c) => ['action', c]),
      ['engine'],
      ['engine', 'ls'],
      ['completion'],
    ];
    await Promise.all(
      commands.map(async (command) => {
        const stdout = await ok([...command, '--help'], { login: false });
        assert.match(stdout, /^Usage: hoist/m, command.join(' '));
        assert.match(
          stdout,
          /Examples?:\n {2}.*\bhoist /,
          `an example in hoist ${command.join(' ')} --help`,
        );
      }),
    );
  });

  test('completion bash prints a script bash loads and that completes commands', async () => {
    const script = await ok(['completion', 'bash'], { login: false });
    const file = path.join(home, 'hoist.bash');
    await writeFile(file, script);
    const check = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stderr);
    const complete = (words: string) =>
      spawnSync(
        'bash',
        [
          '-c',
          `source "$1"; COMP_WORDS=(${words}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _hoist; echo "\${COMPREPLY[*]}"`,
          'bash',
          file,
        ],
        { encoding: 'utf8' },
      ).stdout.trim();
    assert.equal(complete('hoist servi'), 'service');
    assert.match(complete('hoist service ""'), /\bredeploy\b/);
    assert.equal(complete('hoist trigger cr'), 'create');
    assert.equal(complete('hoist webhook create web -o ""'), 'REDEPLOY SCALEUP');
    assert.equal(complete('hoist webhook create web --rate'), '--rate-limit');
    assert.match(await ok(['completion', 'zsh'], { login: false }), /^#compdef hoist/);
    assert.match(await fails(['completion', 'fish'], { login: false }), /bash, zsh/);
  });
});
