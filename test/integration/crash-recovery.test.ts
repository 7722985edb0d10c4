/**
 * `kill -9` of `hoist server` at any point of a redeploy loses nothing: the
 * server runs as a child process, is SIGKILLed for real at a point of the
 * redeploy read from the action's log, and is started again on the same data
 * directory. The same action then ends Success, once resumed, with the
 * container on the new image, its data intact, and nothing half-replaced left
 * on the engine.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test, type TestContext } from 'node:test';
import type Dockerode from 'dockerode';
import {
  TEST_LABELS,
  buildAndPushTestImage,
  cleanupTestContainers,
  freePort,
  testDocker,
} from '../support/test-engine.js';
import {
  allContainerNames,
  callHook,
  createWebhook,
  execIn,
  findService,
  getAction,
  runTestContainer,
  waitForActionEnd,
  type ApiAction,
  type ApiService,
} from '../support/scenario.js';
import {
  startServerProcess,
  stopAllServerProcesses,
  type ServerProcess,
} from '../support/server-process.js';

/** httpd that ignores SIGTERM: stopping it takes the container's whole StopTimeout. */
const IGNORES_TERM_CMD: readonly string[] = Object.freeze([
  'sh',
  '-c',
  'trap "" TERM; exec /bin/busybox httpd -f -p 80 -h /www',
]);

const TRANSIENT = /\.hoist-(old|new)-[0-9a-f]{8}$/;
const RESUMED = /^Resuming after an interruption/;

interface Deployed {
  server: ServerProcess;
  name: string;
  oldId: string;
  service: ApiService;
  hookUrl: string;
  v2: { ref: string; digest: string; imageId: string };
}

interface DeployOptions {
  /** v1 ignores SIGTERM and has a 3 s stop timeout (the default is 1 s). */
  slowStop?: boolean;
  /** v2 carries 16 MiB of random ballast and is not kept on the engine: the pull downloads it (about 0.5 s). */
  slowPull?: boolean;
  /** The container publishes a host port, so it is replaced stop-first (start-first otherwise). */
  publishesPort?: boolean;
  /** The container is on a user-defined network under an alias; the server drains for 60 s. */
  aliased?: boolean;
}

const DRAIN_ALIAS = 'crash-drain-alias';

/**
 * Starts a server, runs v1 of `name` (a named volume holding a file), creates
 * a handler for it and pushes v2: everything up to the call of the handler.
 */
async function deploy(key: string, options: DeployOptions = {}): Promise<Deployed> {
  const server = await startServerProcess(options.aliased ? { HOIST_DRAIN_SECONDS: '60' } : {});
  const name = `hoist-test-crash-${key}`;
  const network = `${name}-net`;
  if (options.aliased) {
    await testDocker().createNetwork({ Name: network, Labels: { ...TEST_LABELS } });
  }
  const repo = `hoist-test/crash-${key}`;
  const cmd = options.slowStop ? { cmd: IGNORES_TERM_CMD } : {};
  const v1 = await buildAndPushTestImage({ repo, tag: 'latest', version: `${name} v1`, ...cmd });
  await testDocker().createVolume({ Name: `${name}-data`, Labels: { ...TEST_LABELS } });
  const container = await runTestContainer({
    name,
    Image: v1.ref,
    // busybox httpd as PID 1 ignores SIGTERM anyway: the stop timeout is how long a stop takes.
    StopTimeout: options.slowStop ? 3 : 1,
    ...(options.publishesPort ? { ExposedPorts: { '80/tcp': {} } } : {}),
    ...(options.aliased
      ? { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: [DRAIN_ALIAS] } } } }
      : {}),
    HostConfig: {
      ...(options.aliased ? { NetworkMode: network } : {}),
      Binds: [`${name}-data:/data`],
      ...(options.publishesPort
        ? {
            PortBindings: {
              '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(await freePort()) }],
            },
          }
        : {}),
    },
  });
  await execIn(name, ['sh', '-c', 'echo precious > /data/file']);

  const service = await findService(server, name);
  const { url } = await createWebhook(server, service.id, 'registry');
  const ballast = options.slowPull
    ? { files: { '/ballast': randomBytes(12 * 1024 * 1024).toString('base64') } }
    : {};
  const v2 = await buildAndPushTestImage({
    repo,
    tag: 'latest',
    version: `${name} v2`,
    ...cmd,
    ...ballast,
  });
  // Built on the engine itself, v2 would be there already and the pull would be a no-op.
  if (options.slowPull) await testDocker().getImage(v2.ref).remove();
  return { server, name, oldId: container.id, service, hookUrl: url, v2 };
}

/** Polls the action (every 10 ms) until its log has a line matching `pattern`; fails if it ends first. */
async function waitForLogLine(
  server: ServerProcess,
  id: string,
  pattern: RegExp,
  timeoutMs = 60_000,
): Promise<ApiAction> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const action = await getAction(server, id);
    if (action.log.some((l) => pattern.test(l.message))) return action;
    if (['Success', 'Failed', 'Canceled'].includes(action.state)) {
      assert.fail(
        `action ${id} ended ${action.state} before its log showed ${pattern}: ${dump(action)}`,
      );
    }
    if (Date.now() > deadline) {
      assert.fail(`action ${id} never logged ${pattern} within ${timeoutMs} ms: ${dump(action)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every container on the engine whose name is `name` or one of its transient names, sorted. */
async function namesOf(name: string): Promise<string[]> {
  return (await allContainerNames()).filter((n) => n === name || n.startsWith(`${name}.`)).sort();
}

async function inspectOrNull(id: string): Promise<Dockerode.ContainerInspectInfo | null> {
  return testDocker()
    .getContainer(id)
    .inspect()
    .catch((error: { statusCode?: number }) => {
      if (error.statusCode === 404) return null;
      throw error;
    });
}

function dump(action: ApiAction): string {
  return `${action.state} (attempts ${action.attempts}, reason ${action.reason})\n${action.log
    .map((l) => `  ${l.at} ${l.message}`)
    .join('\n')}`;
}

/**
 * After the restart: the same action ended Success after exactly one resume,
 * the container runs v2 with its data, nothing transient is left, and the
 * service kept its id.
 */
async function assertRecovered(t: TestContext, d: Deployed, id: string): Promise<ApiAction> {
  const { server, name, v2 } = d;
  const action = await waitForActionEnd(server, id, 90_000);
  const context = `${dump(action)}\n--- server output ---\n${server.output()}`;
  t.diagnostic(`action log after the restart:\n${dump(action)}`);

  assert.equal(action.id, id);
  assert.equal(action.state, 'Success', context);
  assert.equal(action.digestAfter, v2.digest, context);
  const listed = await server.api<{ actions: { id: string }[] }>(
    'GET',
    `/api/v1/actions?service=${d.service.id}`,
  );
  assert.deepEqual(
    listed.body.actions.map((a) => a.id),
    [id],
    'the crash neither lost the action nor made another one',
  );

  const info = await testDocker().getContainer(name).inspect();
  assert.equal(info.State.Running, true, context);
  assert.equal(info.Image, d.v2.imageId, `${name} runs v2\n${context}`);
  assert.notEqual(info.Id, d.oldId);
  assert.equal(await execIn(name, ['cat', '/data/file']), 'precious', 'the volume kept its data');
  assert.equal(await inspectOrNull(d.oldId), null, 'the old container was removed');
  assert.deepEqual(await namesOf(name), [name], `exactly one ${name}\n${context}`);
  assert.deepEqual(
    (await allContainerNames()).filter((n) => TRANSIENT.test(n)),
    [],
    'no .hoist-old-/.hoist-new- container is left on the engine',
  );

  const again = await findService(server, name);
  assert.equal(again.id, d.service.id, 'the service keeps its id across the crash');
  assert.equal(again.containers.length, 1);
  return action;
}

/** The log lines written before the restart (before the first "Resuming ..." line). */
function beforeResume(action: ApiAction): string[] {
  const messages = action.log.map((l) => l.message);
  const resumedAt = messages.findIndex((m) => RESUMED.test(m));
  return resumedAt < 0 ? messages : messages.slice(0, resumedAt);
}

describe('kill -9 of hoist server during a redeploy loses nothing', () => {
  before(async () => {
    await cleanupTestContainers();
  });

  after(async () => {
    await stopAllServerProcesses();
    await cleanupTestContainers();
  });

  const points: {
    key: string;
    title: string;
    killWhen: RegExp;
    options?: DeployOptions;
    /** A line the log must not show before the kill: the crash came before that step. */
    notYet?: RegExp;
    /** What the engine looks like right after the kill, before the restart repairs it. */
    atCrash: (d: Deployed) => Promise<void>;
  }[] = [
    {
      key: 'pulling',
      title: 'while the image is being pulled',
      killWhen: /^Pulling /,
      options: { slowPull: true },
      notYet: /^Pulled /,
      atCrash: async (d) => {
        const old = await inspectOrNull(d.oldId);
        assert.equal(old?.Name, `/${d.name}`, 'the old container is untouched');
        assert.equal(old?.State.Running, true);
        assert.deepEqual(await namesOf(d.name), [d.name]);
      },
    },
    {
      key: 'pulled',
      title: 'right after the image was pulled',
      killWhen: /^Pulled /,
      atCrash: async (d) => {
        const old = await inspectOrNull(d.oldId);
        assert.ok(old, 'the old container is still there');
        assert.equal(old.Name, `/${d.name}`, 'under its own name');
      },
    },
    {
      key: 'stopping',
      title: 'while the old container is being stopped',
      killWhen: /^Created the new container/,
      options: { slowStop: true, publishesPort: true },
      notYet: /^Stopped the old container/,
      atCrash: async (d) => {
        const names = await namesOf(d.name);
        assert.ok(
          names.some((n) => /\.hoist-new-/.test(n)),
          `the new container waits under its transient name: ${names.join(', ')}`,
        );
        const old = await inspectOrNull(d.oldId);
        assert.equal(old?.Name, `/${d.name}`);
        assert.equal(old?.State.Running, true, 'the old container is still stopping');
      },
    },
    {
      key: 'monitor',
      title: 'while the new container is monitored (stop-first)',
      killWhen: /^Started the new container/,
      options: { publishesPort: true },
      notYet: /stayed running for/,
      atCrash: async (d) => {
        const current = await testDocker().getContainer(d.name).inspect();
        assert.equal(current.Image, d.v2.imageId, 'the new container has the name');
        assert.equal(current.State.Running, true);
        const old = await inspectOrNull(d.oldId);
        assert.match(old?.Name ?? '', /\.hoist-old-/, 'the old one is kept aside');
        assert.equal(old?.State.Running, false);
      },
    },
    {
      key: 'both-up',
      title: 'while the new container is monitored beside the old one (start-first)',
      killWhen: /^Started the new container/,
      notYet: /stayed running for/,
      atCrash: async (d) => {
        const names = await namesOf(d.name);
        assert.ok(
          names.some((n) => /\.hoist-new-/.test(n)),
          `the new container runs under its transient name: ${names.join(', ')}`,
        );
        const old = await inspectOrNull(d.oldId);
        assert.equal(old?.Name, `/${d.name}`);
        assert.equal(old?.State.Running, true, 'the old container still serves');
      },
    },
    {
      key: 'handover',
      title: 'while the old container stops after the new one came up (start-first)',
      killWhen: /stayed running for/,
      options: { slowStop: true },
      notYet: /^Removed the old container/,
      atCrash: async (d) => {
        const old = await inspectOrNull(d.oldId);
        assert.ok(old, 'the old container is still there');
      },
    },
    {
      key: 'draining',
      title: 'while the old container drains out of its alias (start-first on a network)',
      killWhen: /took the old one out of name resolution/,
      options: { aliased: true },
      notYet: /^Stopped the old container/,
      atCrash: async (d) => {
        const network = `${d.name}-net`;
        const current = await testDocker().getContainer(d.name).inspect();
        assert.equal(current.Image, d.v2.imageId, 'the new container has the name');
        assert.ok(current.NetworkSettings.Networks[network]?.Aliases?.includes(DRAIN_ALIAS));
        const old = await inspectOrNull(d.oldId);
        assert.equal(old?.State.Running, true, 'the old container still drains');
        assert.ok(!old?.NetworkSettings.Networks[network]?.Aliases?.includes(DRAIN_ALIAS));
      },
    },
  ];

  for (const point of points) {
    test(`killed ${point.title}: the same action resumes once and ends Success`, async (t) => {
      const d = await deploy(point.key, point.options);
      const call = await callHook(d.hookUrl);
      assert.equal(call.status, 202);
      const id = call.body.action.id;

      const seen = await waitForLogLine(d.server, id, point.killWhen);
      await d.server.kill();
      t.diagnostic(`killed after: ${seen.log.map((l) => l.message).join(' | ')}`);
      t.diagnostic(`engine at the crash: ${(await namesOf(d.name)).join(', ')}`);
      await point.atCrash(d);

      await d.server.restart();
      const action = await assertRecovered(t, d, id);

      assert.equal(action.attempts, 2, `one resume, no more\n${dump(action)}`);
      const messages = action.log.map((l) => l.message);
      assert.equal(
        messages.filter((m) => RESUMED.test(m)).length,
        1,
        `the log says it resumed, once\n${dump(action)}`,
      );
      const before = beforeResume(action);
      assert.ok(
        before.some((m) => point.killWhen.test(m)),
        `the crash came after ${point.killWhen}\n${dump(action)}`,
      );
      assert.ok(!before.includes('Redeploy succeeded'), 'the crash came before the end');
      const notYet = point.notYet;
      if (notYet) {
        assert.ok(
          !before.some((m) => notYet.test(m)),
          `the crash came before ${notYet}\n${dump(action)}`,
        );
      }
    });
  }

  test('a call accepted (202) just before the kill is not lost', async (t) => {
    const d = await deploy('accepted');
    const call = await callHook(d.hookUrl);
    assert.equal(call.status, 202);
    assert.equal(call.body.coalesced, false);
    const id = call.body.action.id;
    await d.server.kill();
    t.diagnostic(`engine at the crash: ${(await namesOf(d.name)).join(', ')}`);

    await d.server.restart();
    // It may have been claimed before the kill (then it resumes) or not (then it runs now).
    const action = await assertRecovered(t, d, id);
    assert.ok(action.attempts >= 1 && action.attempts <= 2, dump(action));
    t.diagnostic(`attempts: ${action.attempts}`);
  });

  test('the servers ran against the private engine', () => {
    assert.match(process.env.HOIST_TEST_DOCKER_HOST ?? '', /^unix:\/\/\/tmp\/hoist-engine\./);
  });
});
