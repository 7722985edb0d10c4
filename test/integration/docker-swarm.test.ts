/**
 * DockerEngine against a real one-node swarm and the local registry
 * (scripts/test-engine.sh starts both beside the standalone engine), plus the
 * registry credentials it sends, checked against a stub engine.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';
import type { DialOptions } from 'docker-modem';
import { DockerEngine } from '../../src/adapters/engine/docker-engine.js';
import { createDockerClient } from '../../src/adapters/engine/docker-client.js';
import type { DiscoveredService, NewService } from '../../src/domain/ports/engine.js';
import {
  TEST_LABELS,
  buildAndPushTestImage,
  cleanupTestSwarmServices,
  freePort,
  testEngineEnv,
  testSwarmDocker,
  testSwarmDockerHost,
  waitFor,
  type PushedTestImage,
} from '../support/test-engine.js';
import { expectHoistError } from '../support/refusal.js';

const run = `hsw${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 1000)}`;
const SECOND_NS = 1_000_000_000;

/** A DockerEngine whose every Engine API request is recorded ("GET /tasks"), and can be intercepted. */
function recordingEngine(
  dockerHost: string,
  intercept?: (options: DialOptions) => Promise<void>,
): { engine: DockerEngine; calls: string[] } {
  const docker = createDockerClient(dockerHost);
  const calls: string[] = [];
  const modem = docker.modem as unknown as {
    dial: (options: DialOptions, callback: (error: unknown, data: unknown) => void) => void;
  };
  const dial = modem.dial.bind(modem);
  modem.dial = (options, callback) => {
    calls.push(`${options.method ?? 'GET'} ${options.path.replace(/\?.*$/, '')}`);
    if (!intercept) return dial(options, callback);
    intercept(options).then(
      () => dial(options, callback),
      (error: unknown) => callback(error, null),
    );
  };
  return { engine: new DockerEngine({ dockerHost, docker }), calls };
}

// ---------------------------------------------------------------------------
// Registry credentials: what the engine receives in X-Registry-Auth.

describe('registry credentials from the Docker config file', () => {
  let server: Server;
  let engine: DockerEngine;
  let configDir: string;
  const seen: { method: string; url: string; auth: unknown }[] = [];
  const DIGEST = `sha256:${'ab'.repeat(32)}`;

  const decode = (header: string | undefined): unknown =>
    header ? JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) : null;

  before(async () => {
    configDir = await mkdtemp(join(tmpdir(), 'hoist-docker-config-'));
    await writeFile(
      join(configDir, 'config.json'),
      JSON.stringify({
        auths: {
          '127.0.0.1:5999': { auth: Buffer.from('alice:s3:cret').toString('base64') },
          'https://index.docker.io/v1/': { username: 'hubuser', password: 'hubpass' },
          'https://registry.example.com/v2/': { identitytoken: 'tok-123' },
          'helped.example.com': {},
        },
        credsStore: 'desktop',
        credHelpers: { 'ghcr.io': 'gh' },
      }),
    );
    // A stub engine: answers the distribution, pull and image calls, records the auth header.
    server = createServer((req: IncomingMessage, res) => {
      const url = req.url ?? '';
      seen.push({
        method: req.method ?? '',
        url,
        auth: decode(req.headers['x-registry-auth'] as string | undefined),
      });
      res.setHeader('Content-Type', 'application/json');
      if (url.startsWith('/distribution/ghcr.io/') || url.startsWith('/distribution/helped.')) {
        res.statusCode = 500;
        res.end(JSON.stringify({ message: 'unauthorized: authentication required' }));
      } else if (url.startsWith('/distribution/')) {
        res.end(JSON.stringify({ Descriptor: { digest: DIGEST }, Platforms: [] }));
      } else if (url.startsWith('/images/create')) {
        res.end('{"status":"Pulling"}\n{"status":"Digest: ' + DIGEST + '"}\n');
      } else if (url.startsWith('/images/')) {
        res.end(JSON.stringify({ Id: `sha256:${'cd'.repeat(32)}`, RepoDigests: [] }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ message: `stub: no ${url}` }));
      }
    });
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    engine = new DockerEngine({
      dockerHost: `tcp://127.0.0.1:${port}`,
      dockerConfigDir: configDir,
    });
  });

  after(async () => {
    await new Promise((resolve) => server?.close(resolve));
    if (configDir) await rm(configDir, { recursive: true, force: true });
  });

  const lastAuth = () => seen.at(-1)?.auth;

  test('auth (base64 user:password) for a registry host, on digest look-ups and pulls', async () => {
    assert.equal(await engine.resolveDigest('127.0.0.1:5999/team/app:1'), DIGEST);
    assert.equal(seen.at(-1)?.url, '/distribution/127.0.0.1:5999/team/app:1/json');
    assert.deepEqual(lastAuth(), {
      serveraddress: '127.0.0.1:5999',
      username: 'alice',
      password: 's3:cret',
    });
    await engine.pullImage('127.0.0.1:5999/team/app:1');
    const pull = seen.find((s) => s.url.startsWith('/images/create'));
    assert.match(pull?.url ?? '', /fromImage=127\.0\.0\.1%3A5999%2Fteam%2Fapp&tag=1/);
    assert.deepEqual(pull?.auth, {
      serveraddress: '127.0.0.1:5999',
      username: 'alice',
      password: 's3:cret',
    });
  });

  test('Docker Hub names use the index.docker.io entry; identity tokens pass through', async () => {
    await engine.resolveDigest('nginx:1.27');
    assert.equal(seen.at(-1)?.url, '/distribution/nginx:1.27/json');
    assert.deepEqual(lastAuth(), {
      serveraddress: 'https://index.docker.io/v1/',
      username: 'hubuser',
      password: 'hubpass',
    });
    await engine.resolveDigest('docker.io/library/redis'); // no tag: latest
    assert.equal(seen.at(-1)?.url, '/distribution/docker.io/library/redis:latest/json');
    assert.equal((lastAuth() as { username?: string }).username, 'hubuser');
    // A reference pinned to a digest resolves its tag.
    await engine.resolveDigest(`registry.example.com/x/y:2@sha256:${'00'.repeat(32)}`);
    assert.equal(seen.at(-1)?.url, '/distribution/registry.example.com/x/y:2/json');
    assert.deepEqual(lastAuth(), {
      serveraddress: 'registry.example.com',
      identitytoken: 'tok-123',
    });
  });

  test('no entry for the registry: no header', async () => {
    await engine.resolveDigest('other.example.com:5000/x:1');
    assert.equal(lastAuth(), null);
    const bare = new DockerEngine({
      dockerHost: `tcp://127.0.0.1:${(server.address() as { port: number }).port}`,
      dockerConfigDir: join(configDir, 'missing'),
    });
    await bare.resolveDigest('127.0.0.1:5999/team/app:1');
    assert.equal(lastAuth(), null, 'no config file: no header');
  });

  test('credentials kept by a credential helper are named in the error', async () => {
    const gh = await expectHoistError(
      engine.resolveDigest('ghcr.io/acme/app:1'),
      'engine_error',
      /Cannot resolve ghcr\.io\/acme\/app:1 to a digest: unauthorized/,
    );
    assert.match(gh.message, /docker-credential-gh/);
    assert.match(gh.message, /does not run credential helpers/);
    assert.equal(lastAuth(), null);
    // credsStore holds those of a registry listed in auths without inline credentials.
    const store = await expectHoistError(
      engine.resolveDigest('helped.example.com/app:1'),
      'engine_error',
      /docker-credential-desktop/,
    );
    assert.match(store.message, new RegExp(join(configDir, 'config.json')));
  });

  test('a config file that is not JSON fails clearly', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'hoist-docker-config-'));
    try {
      await writeFile(join(broken, 'config.json'), '{"auths": ');
      const bad = new DockerEngine({
        dockerHost: `tcp://127.0.0.1:${(server.address() as { port: number }).port}`,
        dockerConfigDir: broken,
      });
      await expectHoistError(bad.resolveDigest('nginx:1'), 'engine_error', /not valid JSON/);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------
// The real swarm.

interface RawSpec {
  Name: string;
  Labels?: Record<string, string>;
  TaskTemplate: {
    ContainerSpec: {
      Image: string;
      Env?: string[];
      Labels?: Record<string, string>;
      Mounts?: { Type: string; Source: string; Target: string; ReadOnly?: boolean }[];
    };
    RestartPolicy?: { Condition?: string };
    Networks?: { Target: string }[];
    ForceUpdate?: number;
  };
  Mode: { Replicated?: { Replicas: number }; Global?: object };
  UpdateConfig?: Record<string, unknown>;
  RollbackConfig?: Record<string, unknown>;
  EndpointSpec?: { Ports?: Record<string, unknown>[] };
}

interface RawServiceInfo {
  ID: string;
  Version: { Index: number };
  Spec: RawSpec;
}

const UPDATE_CONFIG = {
  Parallelism: 1,
  FailureAction: 'rollback',
  Monitor: SECOND_NS,
  MaxFailureRatio: 0,
  Order: 'stop-first',
};
const ROLLBACK_CONFIG = {
  Parallelism: 1,
  FailureAction: 'pause',
  Monitor: SECOND_NS,
  MaxFailureRatio: 0,
  Order: 'stop-first',
};

describe('DockerEngine on a one-node swarm', () => {
  let swarm: Dockerode;
  let engine: DockerEngine;
  let registry: string;
  let v1: PushedTestImage;
  let nodeName: string;

  /** A Swarm service made directly on the engine (not by Hoist), fast to stop and update. */
  async function createTestService(
    name: string,
    image: string,
    mode: RawSpec['Mode'] = { Replicated: { Replicas: 2 } },
  ): Promise<string> {
    const created = (await swarm.createService({ serveraddress: registry }, {
      Name: name,
      Labels: { ...TEST_LABELS, 'app.owner': 'tests' },
      TaskTemplate: {
        ContainerSpec: { Image: image, StopGracePeriod: SECOND_NS, Labels: { ...TEST_LABELS } },
        RestartPolicy: { Condition: 'any', Delay: SECOND_NS / 2 },
      },
      Mode: mode,
      UpdateConfig: UPDATE_CONFIG,
      RollbackConfig: ROLLBACK_CONFIG,
    } as unknown as Dockerode.CreateServiceOptions)) as { id: string };
    return created.id;
  }

  async function rawService(id: string): Promise<RawServiceInfo> {
    return (await swarm.getService(id).inspect()) as RawServiceInfo;
  }

  /** Waits until the service has exactly `n` tasks meant to run, all running (on `image` if given). */
  async function waitForRunning(id: string, n: number, image?: string): Promise<DiscoveredService> {
    return waitFor(
      `${n} running tasks of ${id}${image ? ` on ${image}` : ''}`,
      async () => {
        const service = await engine.getService({ kind: 'swarm', key: id });
        const tasks = service?.swarm?.tasks ?? [];
        const ok =
          tasks.length === n &&
          tasks.every((t) => t.state === 'running' && (!image || t.imageRef === image));
        return ok ? service! : undefined;
      },
      60_000,
      200,
    );
  }

  before(async () => {
    registry = testEngineEnv().registry;
    swarm = testSwarmDocker();
    engine = new DockerEngine({ dockerHost: testSwarmDockerHost() });
    await cleanupTestSwarmServices();
    v1 = await buildAndPushTestImage({ repo: `${run}/web`, tag: 'live', version: 'v1' });
    const nodes = (await swarm.listNodes()) as { Description?: { Hostname?: string } }[];
    nodeName = nodes[0]?.Description?.Hostname ?? '';
    assert.ok(nodeName, 'the swarm has a node with a hostname');
  });

  after(async () => {
    await cleanupTestSwarmServices();
  });

  test('info reports swarm mode', async () => {
    const info = await engine.info();
    assert.equal(info.mode, 'swarm');
    assert.match(info.apiVersion, /^1\.\d+$/);
  });

  test('a standalone engine is asked no swarm questions, and has no Swarm services', async () => {
    const { engine: standalone, calls } = recordingEngine(testEngineEnv().dockerHost);
    const services = await standalone.listServices();
    assert.ok(services.every((s) => s.kind !== 'swarm'));
    assert.deepEqual(
      calls.filter((c) => /\/(services|tasks|nodes)\b/.test(c)),
      [],
    );
    assert.equal(await standalone.getService({ kind: 'swarm', key: 'abc123' }), null);
    assert.equal(await standalone.inspectSwarmService('abc123'), null);
  });

  test('lists Swarm services with tasks and nodes in three calls; task containers are no services', async () => {
    const id = await createTestService(`${run}-web`, v1.ref);
    const other = await createTestService(`${run}-other`, v1.ref, { Replicated: { Replicas: 1 } });
    const listed = await waitForRunning(id, 2);
    await waitForRunning(other, 1);

    // A standalone container on the swarm node, beside the tasks.
    await engine.pullImage(v1.ref);
    const loose = await swarm.createContainer({
      name: `${run}-loose`,
      Image: v1.ref,
      Cmd: ['sleep', '600'],
      Labels: { ...TEST_LABELS },
      StopTimeout: 1,
      HostConfig: { NetworkMode: 'none' },
    } as Dockerode.ContainerCreateOptions);
    await loose.start();

    const { engine: counted, calls } = recordingEngine(testSwarmDockerHost());
    const services = await counted.listServices();
    assert.deepEqual(
      calls.filter((c) => /\/(services|tasks|nodes)\b/.test(c)).sort(),
      ['GET /nodes', 'GET /services', 'GET /tasks'],
      'one call each, whatever the number of services',
    );

    const web = services.find((s) => s.key === id);
    assert.ok(web, 'the Swarm service is listed');
    assert.equal(web.kind, 'swarm');
    assert.equal(web.name, `${run}-web`);
    assert.equal(web.imageRef, v1.ref);
    assert.deepEqual(web.containers, []);
    assert.deepEqual(web.labels, { ...TEST_LABELS, 'app.owner': 'tests' });
    assert.equal(web.swarm?.desiredReplicas, 2);
    assert.equal(web.swarm?.runningTasks, 2);
    assert.deepEqual(
      web.swarm?.tasks.map((t) => t.slot),
      [1, 2],
    );
    for (const task of web.swarm?.tasks ?? []) {
      assert.equal(task.node, nodeName);
      assert.match(task.nodeId, /^[a-z0-9]{25}$/);
      assert.equal(task.state, 'running');
      assert.equal(task.desiredState, 'running');
      assert.equal(task.error, null);
      assert.equal(task.imageRef, v1.ref);
      assert.match(task.containerId ?? '', /^[0-9a-f]{64}$/);
      assert.ok(task.updatedAt);
    }
    assert.ok(services.some((s) => s.key === other && s.kind === 'swarm'));

    // The standalone container is a service of its own; the task containers are not.
    const taskContainers = new Set(web.swarm?.tasks.map((t) => t.containerId));
    const standalone = services.filter((s) => s.kind !== 'swarm');
    const looseService = standalone.find((s) => s.key === `${run}-loose`);
    assert.equal(looseService?.kind, 'container');
    assert.equal(looseService?.containers[0]?.id, loose.id);
    assert.equal(looseService?.containers[0]?.publishesPorts, false);
    for (const s of standalone) {
      for (const c of s.containers) {
        assert.ok(!taskContainers.has(c.id), `task container ${c.name} listed as ${s.key}`);
        assert.equal(c.labels['com.docker.swarm.service.id'], undefined);
      }
    }
    const labelled = await engine.listContainersWithLabel('io.hoist.test', '1');
    assert.deepEqual(
      labelled.map((c) => c.id),
      [loose.id],
      'task containers are not standalone containers',
    );

    // getService finds the same; by full ID only.
    assert.deepEqual(await engine.getService({ kind: 'swarm', key: id }), listed);
    assert.deepEqual(await engine.getService({ kind: 'swarm', key: id }), web);
    assert.equal(await engine.getService({ kind: 'swarm', key: `${run}-web` }), null);
    assert.equal(
      await engine.getService({ kind: 'swarm', key: 'nosuchservice0000000000000' }),
      null,
    );
    assert.equal(await engine.inspectSwarmService('nosuchservice0000000000000'), null);
    assert.deepEqual(await engine.listSwarmTasks('nosuchservice0000000000000'), []);
    await engine.removeContainer(loose.id, { volumes: true });
  });

  test('resolveDigest returns what the registry serves now, and fails clearly for a missing tag', async () => {
    assert.equal(await engine.resolveDigest(v1.ref), v1.digest);
    assert.equal(await engine.resolveDigest(`${v1.ref}@${'sha256:' + '0'.repeat(64)}`), v1.digest);
    const missing = await expectHoistError(
      engine.resolveDigest(`${registry}/${run}/web:nope`),
      'engine_error',
      /Cannot resolve .*\/web:nope to a digest: manifest unknown/,
    );
    assert.match(missing.message, /was pushed to the registry/);
    await expectHoistError(
      engine.resolveDigest(`${registry}/${run}/web@${v1.digest}`),
      'image_not_redeployable',
      /pinned to a digest/,
    );
  });

  test('updateSwarmServiceImage pins the digest, bumps ForceUpdate, keeps the update config, and rolls out', async () => {
    const id = await createTestService(`${run}-upd`, v1.ref);
    await waitForRunning(id, 2);
    const before = await engine.inspectSwarmService(id);
    assert.ok(before);
    assert.equal(before.id, id);
    assert.equal(before.name, `${run}-upd`);
    assert.equal(before.imageRef, v1.ref);
    assert.equal(before.forceUpdate, 0);
    assert.equal(before.replicas, 2);
    assert.equal(before.update, null, 'never updated');
    assert.deepEqual(before.labels, { ...TEST_LABELS, 'app.owner': 'tests' });
    const rawBefore = await rawService(id);
    assert.equal(before.version, rawBefore.Version.Index);

    const v2 = await buildAndPushTestImage({ repo: `${run}/web`, tag: 'live', version: 'v2' });
    const digest = await engine.resolveDigest(v1.ref);
    assert.equal(digest, v2.digest);
    const pinned = `${v1.ref}@${digest}`;
    await engine.updateSwarmServiceImage(id, pinned);

    const sent = await engine.inspectSwarmService(id);
    assert.equal(sent?.imageRef, pinned);
    assert.equal(sent?.forceUpdate, 1);
    assert.ok((sent?.version ?? 0) > before.version);
    const rawAfter = await rawService(id);
    assert.deepEqual(rawAfter.Spec.UpdateConfig, rawBefore.Spec.UpdateConfig);
    assert.deepEqual(rawAfter.Spec.UpdateConfig, UPDATE_CONFIG);
    assert.deepEqual(rawAfter.Spec.RollbackConfig, rawBefore.Spec.RollbackConfig);
    // Everything else in the spec is as it was.
    const { TaskTemplate: t1, ...rest1 } = rawBefore.Spec;
    const { TaskTemplate: t2, ...rest2 } = rawAfter.Spec;
    assert.deepEqual(rest2, rest1);
    assert.deepEqual(
      { ...t2, ContainerSpec: { ...t2.ContainerSpec, Image: v1.ref }, ForceUpdate: 0 },
      { ...t1, ForceUpdate: 0 },
    );

    const done = await waitFor(
      'the update to complete',
      async () => {
        const state = await engine.inspectSwarmService(id);
        if (state?.update?.state === 'paused' || state?.update?.state?.startsWith('rollback')) {
          throw new Error(`the update ended ${state.update.state}: ${state.update.message}`);
        }
        return state?.update?.state === 'completed' ? state : undefined;
      },
      60_000,
      250,
    );
    assert.ok(done.update?.startedAt);
    assert.ok(done.update?.completedAt);
    assert.match(done.update?.message ?? '', /completed/);

    const service = await waitForRunning(id, 2, pinned);
    for (const task of service.swarm?.tasks ?? []) {
      const container = await swarm.getContainer(task.containerId!).inspect();
      assert.equal(container.Image, v2.imageId, 'every running task runs v2');
    }

    // The whole history, newest first: the two new tasks, then the two shut down.
    const history = await engine.listSwarmTasks(id);
    assert.equal(history.length, 4);
    assert.deepEqual(
      history.slice(0, 2).map((t) => [t.desiredState, t.imageRef]),
      [
        ['running', pinned],
        ['running', pinned],
      ],
    );
    assert.deepEqual(
      history.slice(2).map((t) => [t.desiredState, t.imageRef]),
      [
        ['shutdown', v1.ref],
        ['shutdown', v1.ref],
      ],
    );

    // The same digest again still redeploys: ForceUpdate moves on.
    const running = new Set(service.swarm?.tasks.map((t) => t.id));
    await engine.updateSwarmServiceImage(id, pinned);
    assert.equal((await engine.inspectSwarmService(id))?.forceUpdate, 2);
    const again = await waitFor(
      'new tasks of the same digest',
      async () => {
        const s = await waitForRunning(id, 2, pinned);
        return s.swarm?.tasks.every((t) => !running.has(t.id)) ? s : undefined;
      },
      60_000,
      250,
    );
    assert.equal(again.swarm?.runningTasks, 2);
  });

  test('scale: replicas of a replicated service, retried once after a concurrent update; a global one refuses', async () => {
    const id = await createTestService(`${run}-scale`, v1.ref, { Replicated: { Replicas: 1 } });
    await waitForRunning(id, 1);

    // Someone else updates the service between Hoist's read and its write.
    let raced = false;
    const { engine: racing, calls } = recordingEngine(testSwarmDockerHost(), async (options) => {
      if (raced || !/^\/services\/[^/]+\/update/.test(options.path)) return;
      raced = true;
      const current = await rawService(id);
      await swarm.getService(id).update({
        _query: { version: current.Version.Index },
        _body: { ...current.Spec, Labels: { ...current.Spec.Labels, 'meanwhile.set': 'yes' } },
      });
    });
    await racing.scaleSwarmService(id, 3);
    assert.ok(raced);
    assert.equal(calls.filter((c) => c.endsWith('/update')).length, 2, 'sent, refused, sent again');
    const scaled = await engine.inspectSwarmService(id);
    assert.equal(scaled?.replicas, 3);
    assert.equal(scaled?.forceUpdate, 0, 'scaling redeploys nothing');
    assert.equal(scaled?.labels['meanwhile.set'], 'yes', "the other client's change is kept");
    const service = await waitForRunning(id, 3);
    assert.equal(service.swarm?.desiredReplicas, 3);
    assert.equal(service.swarm?.runningTasks, 3);

    await engine.scaleSwarmService(id, 1);
    await waitForRunning(id, 1);

    const global = await createTestService(`${run}-global`, v1.ref, { Global: {} });
    assert.equal((await engine.inspectSwarmService(global))?.replicas, null);
    await expectHoistError(engine.scaleSwarmService(global, 2), 'bad_request', /global/);
    await expectHoistError(engine.scaleSwarmService(id, -1), 'bad_request', /whole number/);
    await expectHoistError(
      engine.scaleSwarmService('nosuchservice0000000000000', 2),
      'engine_error',
      /no such Swarm service/,
    );
    const globalListed = await waitForRunning(global, 1);
    assert.equal(globalListed.swarm?.desiredReplicas, null);
    assert.equal(globalListed.swarm?.tasks[0]?.slot, null);
  });

  test('createSwarmService makes a discoverable, labelled service; removeSwarmService removes it', async () => {
    const network = `${run}-net`;
    await swarm.createNetwork({
      Name: network,
      Driver: 'overlay',
      Attachable: true,
      Labels: { ...TEST_LABELS },
    });
    const port = await freePort();
    const image = await buildAndPushTestImage({ repo: `${run}/made`, tag: '1', version: 'made' });
    const spec: NewService = {
      name: `${run}-made`,
      image: image.ref,
      replicas: 1,
      env: { GREETING: 'hello world', EMPTY: '' },
      ports: [{ published: port, target: 80, protocol: 'tcp', mode: 'host' }],
      volumes: [
        { source: `${run}-data`, target: '/data' },
        { source: '/tmp', target: '/host-tmp', readOnly: true },
      ],
      networks: [network],
      restartPolicy: 'on-failure',
      labels: { ...TEST_LABELS, 'app.tier': 'web' },
    };
    const id = await engine.createSwarmService(spec);
    assert.match(id, /^[a-z0-9]{25}$/);

    const raw = await rawService(id);
    const labels = { ...TEST_LABELS, 'app.tier': 'web', 'io.hoist.service': `${run}-made` };
    assert.equal(raw.Spec.Name, `${run}-made`);
    assert.deepEqual(raw.Spec.Labels, labels);
    const container = raw.Spec.TaskTemplate.ContainerSpec;
    assert.equal(
      container.Image,
      `${image.ref}@${image.digest}`,
      'pinned, like docker service create',
    );
    assert.deepEqual(container.Env, ['GREETING=hello world', 'EMPTY=']);
    assert.deepEqual(container.Labels, labels);
    assert.deepEqual(container.Mounts, [
      { Type: 'volume', Source: `${run}-data`, Target: '/data' },
      { Type: 'bind', Source: '/tmp', Target: '/host-tmp', ReadOnly: true },
    ]);
    assert.equal(raw.Spec.TaskTemplate.RestartPolicy?.Condition, 'on-failure');
    const networkId = ((await swarm.getNetwork(network).inspect()) as { Id: string }).Id;
    assert.deepEqual(
      raw.Spec.TaskTemplate.Networks?.map((n) => n.Target),
      [networkId],
      'attached by name',
    );
    assert.deepEqual(raw.Spec.Mode, { Replicated: { Replicas: 1 } });
    assert.equal(raw.Spec.UpdateConfig?.FailureAction, 'rollback');
    assert.equal(raw.Spec.UpdateConfig?.Order, 'stop-first', 'a host-mode port: stop first');
    assert.equal(raw.Spec.UpdateConfig?.Parallelism, 1);
    assert.deepEqual(raw.Spec.EndpointSpec?.Ports, [
      { Protocol: 'tcp', TargetPort: 80, PublishedPort: port, PublishMode: 'host' },
    ]);

    const made = await waitForRunning(id, 1);
    assert.equal(made.name, `${run}-made`);
    assert.equal(made.labels['io.hoist.service'], `${run}-made`);
    const listed = (await engine.listServices()).find((s) => s.key === id);
    assert.equal(listed?.labels['io.hoist.service'], `${run}-made`);
    const state = await engine.inspectSwarmService(id);
    assert.equal(state?.replicas, 1);
    assert.equal(state?.forceUpdate, 0);

    // Start-first by default when no host port stands in the way. An image no
    // registry knows (here: none listens) is left unpinned.
    const unknown = `127.0.0.1:1/${run}/local:1`;
    const quiet = await engine.createSwarmService({
      ...spec,
      image: unknown,
      name: `${run}-quiet`,
      replicas: 0,
      ports: [],
      volumes: [],
      networks: [],
      env: {},
      restartPolicy: 'always',
    });
    const quietRaw = await rawService(quiet);
    assert.equal(quietRaw.Spec.TaskTemplate.ContainerSpec.Image, unknown);
    assert.equal(quietRaw.Spec.UpdateConfig?.Order, 'start-first');
    assert.equal(quietRaw.Spec.TaskTemplate.RestartPolicy?.Condition, 'any');
    assert.equal(quietRaw.Spec.EndpointSpec?.Ports, undefined);
    assert.deepEqual(quietRaw.Spec.Mode, { Replicated: { Replicas: 0 } });

    await expectHoistError(engine.createSwarmService(spec), 'engine_error', /name conflicts/i);

    await engine.removeSwarmService(id);
    await engine.removeSwarmService(quiet);
    assert.equal(await engine.inspectSwarmService(id), null);
    assert.equal(await engine.getService({ kind: 'swarm', key: id }), null);
    assert.ok(!(await engine.listServices()).some((s) => s.key === id || s.key === quiet));
    await engine.removeSwarmService(id); // already gone: no error
  });
});
