/**
 * Start-first redeploys on a user-defined network, on the real private engine:
 * the old container leaves the alias's DNS answers while it still runs, and
 * a failed redeploy leaves the old containers serving under the alias.
 *
 * Deterministic without timing assertions: the engine's events stream says
 * when Hoist reconnected an old container without its aliases; the test then
 * asks the engine's DNS for the alias from a client container, and inspects
 * the old container afterwards to prove it was still running at that moment.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DockerEngine } from '../../src/adapters/engine/docker-engine.js';
import {
  TEST_LABELS,
  buildAndPushTestImage,
  cleanupTestContainers,
  execInContainer,
  testDocker,
  testEngineEnv,
  waitFor,
} from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  callHook,
  createWebhook,
  findService,
  runTestContainer,
  waitForActionEnd,
} from '../support/scenario.js';

const NETWORK = 'hoist-test-drain-net';
const CLIENT = 'hoist-test-drain-client';
/** Long enough for one lookup from the client, so that the old container is still running after it. */
const DRAIN_SECONDS = '8';

/** The IPv4 addresses the engine's DNS gives the client container for a name. */
async function resolve(name: string): Promise<string[]> {
  const { output } = await execInContainer(CLIENT, [
    '/bin/busybox',
    'nslookup',
    name,
    '127.0.0.11',
  ]);
  // The first "Address:" line is the server's own (127.0.0.11:53).
  return [...output.matchAll(/^Address:?\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)]
    .map((m) => m[1]!)
    .filter((a) => a !== '127.0.0.11')
    .sort();
}

async function addressOf(id: string): Promise<string> {
  const info = await testDocker().getContainer(id).inspect();
  return info.NetworkSettings.Networks[NETWORK]?.IPAddress ?? '';
}

interface DrainSeen {
  /** The alias's answers once the old container was back on the network without its aliases. */
  answers: string[];
  /** Whether the old container still ran after those answers came. */
  runningAfter: boolean;
  /** The old container's address then. */
  address: string;
}

/**
 * Follows the engine's events for the given old containers: on each one's
 * reconnect after a disconnect (Hoist withdrawing its aliases), looks the
 * alias up. Also records the order of the old containers' network and stop events.
 */
async function watchDrains(oldIds: string[], alias: string) {
  const stream = (await testDocker().getEvents({
    filters: { type: ['network', 'container'] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  const seen = new Map<string, DrainSeen>();
  const order: string[] = [];
  const disconnected = new Set<string>();
  const checks: Promise<void>[] = [];
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines.filter((l) => l.trim())) {
      const event = JSON.parse(line) as {
        Type: string;
        Action: string;
        Actor: { ID: string; Attributes: Record<string, string> };
      };
      const id = event.Type === 'network' ? event.Actor.Attributes.container : event.Actor.ID;
      if (!id || !oldIds.includes(id)) continue;
      order.push(`${event.Action} ${oldIds.indexOf(id)}`);
      if (event.Type !== 'network') continue;
      if (event.Action === 'disconnect') disconnected.add(id);
      if (event.Action === 'connect' && disconnected.has(id) && !seen.has(id)) {
        checks.push(
          (async () => {
            const answers = await resolve(alias);
            const info = await testDocker().getContainer(id).inspect();
            seen.set(id, {
              answers,
              runningAfter: info.State.Running,
              address: info.NetworkSettings.Networks[NETWORK]?.IPAddress ?? '',
            });
          })(),
        );
      }
    }
  });
  return {
    seen,
    order,
    async stop() {
      stream.destroy();
      await Promise.all(checks);
    },
  };
}

describe('start-first redeploys take the old container out of name resolution before it stops', () => {
  let server: TestServer;
  let clientImage: string;

  before(async () => {
    await cleanupTestContainers();
    server = await startTestServer({ HOIST_DRAIN_SECONDS: DRAIN_SECONDS });
    await testDocker().createNetwork({ Name: NETWORK, Labels: { ...TEST_LABELS } });
    clientImage = (
      await buildAndPushTestImage({ repo: 'hoist-test/drain-client', tag: 'latest', version: 'c' })
    ).ref;
    await runTestContainer({
      name: CLIENT,
      Image: clientImage,
      Cmd: ['sleep', '100000'],
      HostConfig: { NetworkMode: NETWORK },
    });
  });

  after(async () => {
    await server?.close();
    await cleanupTestContainers();
  });

  /** A compose service of `count` containers on NETWORK under `alias`, no host port; returns them. */
  async function aliasedService(
    repo: string,
    alias: string,
    count: number,
    env: (n: number) => string[] = () => [],
  ) {
    const v1 = await buildAndPushTestImage({ repo, tag: 'latest', version: `${alias} v1` });
    const ids: string[] = [];
    for (let n = 1; n <= count; n++) {
      const container = await runTestContainer({
        name: `hoisttest-${alias}-${n}`,
        Image: v1.ref,
        Env: env(n),
        Labels: {
          'com.docker.compose.project': 'hoisttest',
          'com.docker.compose.service': alias,
          'com.docker.compose.container-number': String(n),
        },
        HostConfig: { NetworkMode: NETWORK },
        NetworkingConfig: { EndpointsConfig: { [NETWORK]: { Aliases: [alias] } } },
      });
      ids.push(container.id);
    }
    const service = await findService(server, `hoisttest-${alias}`);
    const { url } = await createWebhook(server, service.id, 'ci');
    return { ids, url };
  }

  for (const count of [1, 2]) {
    test(`${count}-container service: the alias stops naming each old container while it still runs`, async () => {
      const alias = `drain${count}`;
      const { ids, url } = await aliasedService(`hoist-test/drain-${count}`, alias, count);
      const oldAddresses = await Promise.all(ids.map(addressOf));
      assert.deepEqual(await resolve(alias), [...oldAddresses].sort());
      const v2 = await buildAndPushTestImage({
        repo: `hoist-test/drain-${count}`,
        tag: 'latest',
        version: `${alias} v2`,
      });

      const watch = await watchDrains(ids, alias);
      const call = await callHook(url);
      assert.equal(call.status, 202);
      const action = await waitForActionEnd(server, call.body.action.id);
      await watch.stop();

      assert.equal(action.state, 'Success', JSON.stringify(action.log));
      const log = action.log.map((l) => l.message);
      assert.equal(
        log.filter((m) => m.includes('leaves name resolution and drains for 8 s')).length,
        count,
        log.join('\n'),
      );
      const newIds: string[] = [];
      for (let n = 1; n <= count; n++) {
        const info = await testDocker().getContainer(`hoisttest-${alias}-${n}`).inspect();
        assert.equal(info.Image, v2.imageId);
        assert.equal(info.State.Running, true);
        newIds.push(info.Id);
      }
      const newAddresses = await Promise.all(newIds.map(addressOf));

      ids.forEach((id, i) => {
        const seen = watch.seen.get(id);
        assert.ok(seen, `old container ${i + 1} was never drained: ${watch.order.join(', ')}`);
        assert.equal(seen.runningAfter, true, `old container ${i + 1} had stopped already`);
        assert.ok(
          !seen.answers.includes(oldAddresses[i]!),
          `the alias still named old container ${i + 1} (${oldAddresses[i]}): ${seen.answers.join(', ')}`,
        );
        // The ones already replaced and the ones still to come answer meanwhile.
        const serving = [...newAddresses.slice(0, i + 1), ...oldAddresses.slice(i + 1)].sort();
        assert.deepEqual(seen.answers, serving);
        // Reconnected on its own address, so its open connections carried on.
        assert.equal(seen.address, oldAddresses[i]);
        // Out of the alias first, stopped after.
        const withdrawn = watch.order.indexOf(`disconnect ${i}`);
        const killed = watch.order.indexOf(`kill ${i}`);
        assert.ok(withdrawn >= 0 && killed > withdrawn, watch.order.join(', '));
      });
      assert.deepEqual(await resolve(alias), [...newAddresses].sort());
    });
  }

  test('a new image that fails leaves the old containers serving under the alias', async () => {
    const alias = 'drainfail';
    const { ids, url } = await aliasedService('hoist-test/drain-fail', alias, 2, (n) => [
      `ROLE=${n}`,
    ]);
    // v2 serves in place of the first container, so that old one is drained and stopped;
    // in place of the second it exits at once, and the redeploy rolls back.
    await buildAndPushTestImage({
      repo: 'hoist-test/drain-fail',
      tag: 'latest',
      version: `${alias} v2`,
      cmd: ['sh', '-c', 'if [ "$ROLE" = 2 ]; then exit 3; fi; exec httpd -f -p 80 -h /www'],
    });

    const call = await callHook(url);
    assert.equal(call.status, 202);
    const action = await waitForActionEnd(server, call.body.action.id);

    assert.equal(action.state, 'Failed', JSON.stringify(action.log));
    const log = action.log.map((l) => l.message);
    assert.ok(
      log.some((m) => m.startsWith('The new container hoisttest-drainfail-1 took over its name')),
      log.join('\n'),
    );
    const addresses: string[] = [];
    for (const [i, id] of ids.entries()) {
      const info = await testDocker()
        .getContainer(`hoisttest-${alias}-${i + 1}`)
        .inspect();
      assert.equal(info.Id, id, 'the old container itself is back');
      assert.equal(info.State.Running, true);
      assert.ok(info.NetworkSettings.Networks[NETWORK]?.Aliases?.includes(alias));
      const address = info.NetworkSettings.Networks[NETWORK]?.IPAddress ?? '';
      addresses.push(address);
      const { output } = await execInContainer(CLIENT, [
        '/bin/busybox',
        'wget',
        '-qO-',
        `http://${address}/`,
      ]);
      assert.equal(output, `${alias} v1`);
    }
    assert.deepEqual(await resolve(alias), addresses.sort());
  });
});

describe('DockerEngine: withdrawing and restoring network aliases', () => {
  const subnetNet = 'hoist-test-aliases-subnet';
  const autoNet = 'hoist-test-aliases-auto';
  let engine: DockerEngine;
  let image: string;

  before(async () => {
    await cleanupTestContainers();
    engine = new DockerEngine({ dockerHost: testEngineEnv().dockerHost });
    const docker = testDocker();
    await docker.createNetwork({
      Name: subnetNet,
      Labels: { ...TEST_LABELS },
      IPAM: { Config: [{ Subnet: '10.231.0.0/24' }] },
    });
    await docker.createNetwork({ Name: autoNet, Labels: { ...TEST_LABELS } });
    image = (
      await buildAndPushTestImage({ repo: 'hoist-test/aliases', tag: 'latest', version: 'a' })
    ).ref;
  });

  after(async () => {
    await cleanupTestContainers();
  });

  async function endpoint(id: string, network: string) {
    const info = await testDocker().getContainer(id).inspect();
    return info.NetworkSettings.Networks[network];
  }

  test('memberships name the aliases (not the short id) and static addresses; withdraw keeps the address, restore puts all back', async () => {
    const container = await runTestContainer({
      name: 'hoist-test-aliases-one',
      Image: image,
      HostConfig: { NetworkMode: subnetNet },
      NetworkingConfig: {
        EndpointsConfig: {
          [subnetNet]: { Aliases: ['one', 'uno'], IPAMConfig: { IPv4Address: '10.231.0.50' } },
        },
      },
    });
    await testDocker()
      .getNetwork(autoNet)
      .connect({ Container: container.id, EndpointConfig: { Aliases: ['auto-one'] } });
    const before = {
      subnet: (await endpoint(container.id, subnetNet))?.IPAddress,
      auto: (await endpoint(container.id, autoNet))?.IPAddress,
    };

    const memberships = await engine.networkMemberships(container.id);
    assert.deepEqual(memberships, [
      { network: autoNet, aliases: ['auto-one'], ipv4Address: null, ipv6Address: null, links: [] },
      {
        network: subnetNet,
        aliases: ['one', 'uno'],
        ipv4Address: '10.231.0.50',
        ipv6Address: null,
        links: [],
      },
    ]);

    await engine.withdrawAliases(container.id, memberships);
    for (const [network, address] of [
      [subnetNet, before.subnet],
      [autoNet, before.auto],
    ] as const) {
      const now = await endpoint(container.id, network);
      assert.equal(now?.IPAddress, address, `same address on ${network}`);
      assert.deepEqual(now?.Aliases, [container.id.slice(0, 12)], `no alias left on ${network}`);
    }
    assert.equal((await testDocker().getContainer(container.id).inspect()).State.Running, true);

    await engine.restoreAliases(container.id, memberships);
    assert.deepEqual(await engine.networkMemberships(container.id), memberships);
    // Restoring again changes nothing: the endpoint is not reconnected.
    const endpointId = (await endpoint(container.id, subnetNet))?.EndpointID;
    await engine.restoreAliases(container.id, memberships);
    assert.equal((await endpoint(container.id, subnetNet))?.EndpointID, endpointId);
  });

  test('a request in flight when the aliases are withdrawn still gets its answer', async () => {
    // The server answers a connection only once the test says so (/go; the image has no /tmp), after it has
    // withdrawn the server's aliases: the answer can only travel on the connection opened before.
    const server = await runTestContainer({
      name: 'hoist-test-aliases-inflight',
      Image: image,
      Cmd: [
        'nc',
        '-ll',
        '-p',
        '7000',
        '-e',
        '/bin/busybox',
        'sh',
        '-c',
        'read line; touch /connected; while [ ! -e /go ]; do sleep 0.1; done; echo "answer to $line"',
      ],
      HostConfig: { NetworkMode: subnetNet },
      NetworkingConfig: { EndpointsConfig: { [subnetNet]: { Aliases: ['inflight'] } } },
    });
    const client = await runTestContainer({
      name: 'hoist-test-aliases-inflight-client',
      Image: image,
      Cmd: ['sleep', '3600'],
      HostConfig: { NetworkMode: subnetNet },
    });
    const request = execInContainer(client.id, [
      '/bin/busybox',
      'sh',
      '-c',
      // The server may not listen yet when the client starts: retry until it connects.
      'until echo hello | nc inflight 7000; do sleep 0.2; done',
    ]);
    const inServer = (cmd: string) => execInContainer(server.id, ['/bin/busybox', 'sh', '-c', cmd]);
    await waitFor(
      'the request to reach the server',
      async () => (await inServer('test -e /connected')).exitCode === 0,
    );

    await engine.withdrawAliases(server.id, await engine.networkMemberships(server.id));
    assert.deepEqual((await endpoint(server.id, subnetNet))?.Aliases, [server.id.slice(0, 12)]);
    assert.equal((await inServer('test -e /go')).exitCode, 1, 'not answered yet');
    await inServer('touch /go');

    const answer = await request;
    assert.equal(answer.output, 'answer to hello');
    assert.equal(answer.exitCode, 0);
  });

  test('a container on the default networks only has no memberships', async () => {
    const container = await runTestContainer({ name: 'hoist-test-aliases-none', Image: image });
    assert.deepEqual(await engine.networkMemberships(container.id), []);
  });

  test('a stopped container gets its aliases back for its next start', async () => {
    const container = await runTestContainer({
      name: 'hoist-test-aliases-stopped',
      Image: image,
      HostConfig: { NetworkMode: autoNet },
      NetworkingConfig: { EndpointsConfig: { [autoNet]: { Aliases: ['stopped-one'] } } },
    });
    const memberships = await engine.networkMemberships(container.id);
    await engine.withdrawAliases(container.id, memberships);
    await engine.stopContainer(container.id);
    await engine.restoreAliases(container.id, memberships);
    await engine.startContainer(container.id);
    assert.ok((await endpoint(container.id, autoNet))?.Aliases?.includes('stopped-one'));
  });
});
