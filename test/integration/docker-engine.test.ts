/**
 * DockerEngine against a real, private Docker engine and registry
 * (scripts/test-engine.sh; `npm test` starts them).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type Dockerode from 'dockerode';
import { DockerEngine } from '../../src/adapters/engine/docker-engine.js';
import { EngineUnavailableError } from '../../src/domain/errors.js';
import type { NewService } from '../../src/domain/ports/engine.js';
import {
  isTransientContainerName,
  parseTransientName,
  transientName,
} from '../../src/domain/actions/container-names.js';
import {
  EXIT_AT_ONCE_CMD,
  TEST_LABELS,
  buildAndPushImage,
  buildAndPushTestImage,
  cleanupTestContainers,
  execInContainer,
  freePort,
  httpText,
  testDocker,
  testEngineEnv,
  waitFor,
} from '../support/test-engine.js';
import { expectHoistError } from '../support/refusal.js';

const run = `hit${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 1000)}`;

let docker: Dockerode;
let engine: DockerEngine;
let registry: string;

before(async () => {
  const env = testEngineEnv();
  registry = env.registry;
  docker = testDocker();
  engine = new DockerEngine({ dockerHost: env.dockerHost });
  await cleanupTestContainers();
});

after(async () => {
  await cleanupTestContainers();
});

/** Creates (does not start) a container labelled io.hoist.test=1. */
async function createContainer(
  name: string,
  image: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const labels = { ...(extra.Labels as Record<string, string> | undefined), ...TEST_LABELS };
  const created = await docker.createContainer({
    _query: { name },
    _body: { Image: image, ...extra, Labels: labels },
  } as unknown as Dockerode.ContainerCreateOptions);
  return created.id;
}

async function pullIntoEngine(ref: string): Promise<void> {
  const stream = (await docker.pull(ref)) as NodeJS.ReadableStream;
  await new Promise((resolve, reject) =>
    docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve(null))),
  );
}

async function inspect(id: string): Promise<Dockerode.ContainerInspectInfo & RawExtras> {
  return (await docker.getContainer(id).inspect()) as Dockerode.ContainerInspectInfo & RawExtras;
}

interface RawExtras {
  Config: Dockerode.ContainerInspectInfo['Config'] & { StopSignal?: string };
}

describe('container names used while replacing', () => {
  test('transient names are recognised and parsed', () => {
    const name = transientName('web-1', 'old', '0190a3c4-aaaa-7bbb-8ccc-000000000001');
    assert.match(name, /^web-1\.hoist-old-[0-9a-f]{8}$/);
    assert.equal(isTransientContainerName(name), true);
    assert.equal(isTransientContainerName(`/${name}`), true);
    assert.equal(isTransientContainerName('web-1'), false);
    assert.equal(isTransientContainerName('web-1.hoist-old-xyz'), false);
    assert.deepEqual(parseTransientName(name), {
      baseName: 'web-1',
      role: 'old',
      tag: name.slice(-8),
    });
    // Stable per action, different between actions.
    assert.equal(transientName('a', 'new', 'x'), transientName('a', 'new', 'x'));
    assert.notEqual(transientName('a', 'new', 'x'), transientName('a', 'new', 'y'));
  });
});

describe('DockerEngine: engine and discovery', () => {
  test('info reports a standalone engine', async () => {
    const info = await engine.info();
    assert.equal(info.mode, 'standalone');
    assert.match(info.apiVersion, /^1\.\d+$/);
    assert.ok(info.version.length > 0);
  });

  test('groups compose, hoist and single containers, with digests, and hides transient names', async () => {
    const pushed = await buildAndPushTestImage({ repo: `${run}/disc`, tag: '1', version: 'd1' });
    await pullIntoEngine(pushed.ref);
    const project = `${run}proj`;
    const compose = (n: number) => ({
      Labels: {
        'com.docker.compose.project': project,
        'com.docker.compose.service': 'web',
        'com.docker.compose.container-number': String(n),
      },
    });
    // Created out of order: containers come back ordered by name.
    const web2 = await createContainer(`${run}-proj-web-2`, pushed.ref, compose(2));
    const web1 = await createContainer(`${run}-proj-web-1`, pushed.ref, compose(1));
    await createContainer(
      transientName(`${run}-proj-web-1`, 'new', 'action-1'),
      pushed.ref,
      compose(1),
    );
    const hoisted = await createContainer(`${run}-hoisted`, pushed.ref, {
      Labels: { 'io.hoist.service': `${run}-svc` },
    });
    const single = await createContainer(`${run}-single`, pushed.ref);
    await createContainer(transientName(`${run}-single`, 'old', 'action-2'), pushed.ref);
    const byId = await createContainer(`${run}-by-id`, pushed.imageId);

    const services = await engine.listServices();
    const mine = services.filter((s) => s.key.startsWith(run));
    assert.deepEqual(
      mine.map((s) => [s.kind, s.key, s.name, s.containers.length]),
      [
        ['compose', `${project}/web`, `${project}-web`, 2],
        ['container', `${run}-by-id`, `${run}-by-id`, 1],
        ['container', `${run}-single`, `${run}-single`, 1],
        ['hoist', `${run}-svc`, `${run}-svc`, 1],
      ],
    );
    for (const service of services) {
      for (const c of service.containers) {
        assert.equal(isTransientContainerName(c.name), false, `${c.name} must be hidden`);
      }
    }

    const composeService = mine[0]!;
    assert.deepEqual(
      composeService.containers.map((c) => [c.id, c.name]),
      [
        [web1, `${run}-proj-web-1`],
        [web2, `${run}-proj-web-2`],
      ],
    );
    assert.equal(composeService.imageRef, pushed.ref);
    assert.deepEqual(composeService.labels, composeService.containers[0]!.labels);
    assert.equal(composeService.labels['com.docker.compose.container-number'], '1');
    assert.equal(mine[3]!.labels['io.hoist.service'], `${run}-svc`);
    for (const c of composeService.containers) {
      assert.equal(c.digest, pushed.digest);
      assert.equal(c.imageId, pushed.imageId);
      assert.equal(c.imageRef, pushed.ref);
      assert.equal(c.state, 'created');
      assert.equal(c.running, false);
      assert.equal(c.exitCode, null);
      assert.equal(c.health, 'none');
      assert.equal(c.startedAt, null);
      assert.equal(c.publishesPorts, false);
    }
    const byIdService = mine[1]!;
    assert.equal(byIdService.containers[0]!.id, byId);
    assert.equal(byIdService.containers[0]!.digest, null, 'created from an image id: no digest');
    assert.equal(mine[2]!.containers[0]!.id, single);
    assert.equal(mine[3]!.containers[0]!.id, hoisted);
    assert.equal(mine[3]!.containers[0]!.digest, pushed.digest);

    // getService finds each the same way, and nothing for unknown keys.
    for (const service of mine) {
      const found = await engine.getService({ kind: service.kind, key: service.key });
      assert.deepEqual(found, service);
    }
    assert.equal(await engine.getService({ kind: 'container', key: `${run}-proj-web-1` }), null);
    assert.equal(await engine.getService({ kind: 'compose', key: `${project}/nope` }), null);
    assert.equal(await engine.getService({ kind: 'hoist', key: `${run}-nope` }), null);

    // After the tag moves on, the old containers still report the digest they run.
    const v2 = await buildAndPushTestImage({ repo: `${run}/disc`, tag: '1', version: 'd2' });
    const pulled = await engine.pullImage(v2.ref);
    assert.equal(pulled.digest, v2.digest);
    const again = await engine.getService({ kind: 'container', key: `${run}-single` });
    assert.equal(again?.imageRef, pushed.ref);
    assert.equal(again?.containers[0]?.digest, pushed.digest);
    assert.equal(again?.containers[0]?.imageId, pushed.imageId);

    const labelled = await engine.listContainersWithLabel('io.hoist.service', `${run}-svc`);
    assert.deepEqual(
      labelled.map((c) => c.id),
      [hoisted],
    );
  });
});

describe('DockerEngine: pullImage', () => {
  test('returns the pushed digest for repo:tag, repo (latest) and repo:tag@digest', async () => {
    const repo = `${registry}/${run}/pull`;
    const digest = await buildAndPushImage({ repo: `${run}/pull`, tag: 'v1', version: 'p1' });
    const pulled = await engine.pullImage(`${repo}:v1`);
    assert.equal(pulled.digest, digest);
    assert.match(pulled.imageId, /^sha256:[0-9a-f]{64}$/);

    const latest = await buildAndPushImage({ repo: `${run}/pull`, tag: 'latest', version: 'p2' });
    assert.equal((await engine.pullImage(repo)).digest, latest);

    // A reference pinned to a digest with a tag pulls the tag (its newest image).
    const v1b = await buildAndPushImage({ repo: `${run}/pull`, tag: 'v1', version: 'p3' });
    assert.notEqual(v1b, digest);
    assert.equal((await engine.pullImage(`${repo}:v1@${digest}`)).digest, v1b);
  });

  test('a missing tag fails with the registry message', async () => {
    await buildAndPushImage({ repo: `${run}/pull2`, tag: 'v1', version: 'x' });
    const error = await expectHoistError(
      engine.pullImage(`${registry}/${run}/pull2:missing`),
      'engine_error',
      /manifest unknown|not found/,
    );
    assert.match(error.message, new RegExp(`${run}/pull2:missing`));
  });

  test('image ids and digest-only references cannot be redeployed', async () => {
    const pushed = await buildAndPushTestImage({ repo: `${run}/pull3`, tag: 'v1', version: 'y' });
    await expectHoistError(engine.pullImage(pushed.imageId), 'image_not_redeployable', /image id/);
    await expectHoistError(
      engine.pullImage(pushed.imageId.slice('sha256:'.length)),
      'image_not_redeployable',
      /image id/,
    );
    await expectHoistError(
      engine.pullImage(`${registry}/${run}/pull3@${pushed.digest}`),
      'image_not_redeployable',
      /pinned to a digest/,
    );
  });
});

describe('DockerEngine: createReplacement', () => {
  test('copies the configuration, lets the new image replace its defaults, and keeps data', async () => {
    const repo = `${run}/app`;
    const ref = `${registry}/${repo}:live`;
    const v1Cmd = ['httpd', '-f', '-p', '80', '-h', '/www', '-c', '/etc/httpd.conf'];
    const v2Cmd = ['httpd', '-f', '-p', '80', '-h', '/www'];
    const v1 = await buildAndPushTestImage({
      repo,
      tag: 'live',
      version: 'app-v1',
      cmd: v1Cmd,
      env: { IMG_ONLY: 'v1', SHARED: 'from-image' },
      volumes: ['/www/data'],
      healthcheck: { test: ['/bin/busybox', 'true'], retries: 5 },
      files: { '/etc/httpd.conf': '' },
    });
    await pullIntoEngine(ref);

    await docker.createNetwork({
      Name: `${run}-neta`,
      Driver: 'bridge',
      Labels: { ...TEST_LABELS },
    });
    const netB = await docker.createNetwork({
      Name: `${run}-netb`,
      Driver: 'bridge',
      Labels: { ...TEST_LABELS },
    });
    const named = `${run}-named`;
    await docker.createVolume({ Name: named, Labels: { ...TEST_LABELS } });
    const port = await freePort();

    const oldId = await createContainer(`${run}-app`, ref, {
      Env: ['USER_SET=hello', 'SHARED=from-user'],
      Labels: { 'app.tier': 'web' },
      StopTimeout: 1, // busybox httpd as pid 1 ignores SIGTERM
      ExposedPorts: { '80/tcp': {} },
      HostConfig: {
        Binds: [`${named}:/www/named`],
        RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 },
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
        NetworkMode: `${run}-neta`,
      },
      NetworkingConfig: { EndpointsConfig: { [`${run}-neta`]: { Aliases: [`${run}-alias`] } } },
    });
    await netB.connect({ Container: oldId, EndpointConfig: { Aliases: [`${run}-alias-b`] } });
    await engine.startContainer(oldId);
    await engine.startContainer(oldId); // already started: no error
    assert.equal(await httpText(port), 'app-v1');
    const write = await execInContainer(oldId, [
      '/bin/busybox',
      'sh',
      '-c',
      'echo anon-data > /www/data/f && echo named-data > /www/named/f',
    ]);
    assert.equal(write.exitCode, 0, write.output);
    assert.equal(await httpText(port, '/data/f'), 'anon-data');
    const old = await inspect(oldId);
    const oldAnon = old.Mounts.find((m) => m.Destination === '/www/data');
    assert.ok(oldAnon?.Name, 'the old container has an anonymous volume at /www/data');
    assert.equal((await engine.inspectContainer(oldId))?.digest, v1.digest);
    assert.equal((await engine.inspectContainer(oldId))?.publishesPorts, true);

    // v2 moves the tag; its ENV, CMD and HEALTHCHECK differ from v1's.
    const v2 = await buildAndPushTestImage({
      repo,
      tag: 'live',
      version: 'app-v2',
      cmd: v2Cmd,
      env: { IMG_ONLY: 'v2', SHARED: 'from-image-v2', V2_ONLY: 'yes' },
      volumes: ['/www/data'],
      healthcheck: 'http',
    });
    const pulled = await engine.pullImage(ref);
    assert.equal(pulled.digest, v2.digest);
    assert.equal(pulled.imageId, v2.imageId);

    const newId = await engine.createReplacement({
      fromContainerId: oldId,
      imageRef: ref,
      name: transientName(`${run}-app`, 'new', 'action-a'),
      labels: { 'io.hoist.action': 'action-a' },
      reuseVolumes: true,
      env: { EXTRA: '1', USER_SET: 'overridden' },
    });
    const created = await engine.inspectContainer(newId);
    assert.equal(created?.state, 'created');
    assert.equal(created?.digest, v2.digest);
    assert.equal(created?.imageId, v2.imageId);

    await engine.stopContainer(oldId);
    await engine.stopContainer(oldId); // already stopped: no error
    await engine.startContainer(newId);
    assert.equal(await httpText(port), 'app-v2', 'the published port answers with v2');
    assert.equal(await httpText(port, '/data/f'), 'anon-data', 'reused anonymous volume');
    assert.equal(await httpText(port, '/named/f'), 'named-data', 'named volume');

    const fresh = await inspect(newId);
    assert.equal(fresh.Image, v2.imageId);
    assert.equal(fresh.Config.Image, ref);
    assert.deepEqual(fresh.Config.Env.slice().sort(), [
      'EXTRA=1',
      'IMG_ONLY=v2',
      'SHARED=from-user',
      'USER_SET=overridden',
      'V2_ONLY=yes',
    ]);
    assert.deepEqual(fresh.Config.Cmd, v2Cmd, "v1's CMD gave way to v2's");
    assert.deepEqual(fresh.Config.Healthcheck?.Test, [
      'CMD',
      '/bin/busybox',
      'wget',
      '-q',
      '-O',
      '/dev/null',
      'http://127.0.0.1/',
    ]);
    assert.equal(fresh.Config.Labels['app.tier'], 'web');
    assert.equal(fresh.Config.Labels['io.hoist.action'], 'action-a');
    assert.equal(fresh.Config.Labels['io.hoist.test'], '1');
    assert.equal(fresh.Config.Labels['io.hoist.test.version'], 'app-v2');
    assert.equal(fresh.Config.Hostname, newId.slice(0, 12), 'a hostname of its own');
    assert.deepEqual(fresh.HostConfig.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
    assert.deepEqual(fresh.HostConfig.PortBindings, {
      '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
    });
    assert.deepEqual(
      fresh.HostConfig.Binds?.slice().sort(),
      [`${named}:/www/named`, `${oldAnon.Name}:/www/data:rw`].sort(),
    );
    const mounts = Object.fromEntries(fresh.Mounts.map((m) => [m.Destination, m.Name]));
    assert.deepEqual(mounts, { '/www/data': oldAnon.Name, '/www/named': named });
    const networks = fresh.NetworkSettings.Networks;
    assert.deepEqual(Object.keys(networks).sort(), [`${run}-neta`, `${run}-netb`]);
    assert.ok(networks[`${run}-neta`]!.Aliases.includes(`${run}-alias`));
    assert.ok(networks[`${run}-netb`]!.Aliases.includes(`${run}-alias-b`));
    for (const net of Object.values(networks)) {
      assert.ok(!(net.Aliases as string[]).includes(oldId.slice(0, 12)), 'old short id dropped');
    }
    const health = await waitFor('v2 to be healthy', async () => {
      const info = await engine.inspectContainer(newId);
      return info?.health === 'healthy' ? info : undefined;
    });
    assert.equal(health.running, true);
    assert.equal(health.exitCode, null);
    assert.ok(health.startedAt);

    // Without reuseVolumes the anonymous volume is a fresh one; the named one stays.
    await engine.stopContainer(newId);
    const noReuseId = await engine.createReplacement({
      fromContainerId: oldId,
      imageRef: ref,
      name: transientName(`${run}-app`, 'new', 'action-b'),
      labels: {},
      reuseVolumes: false,
    });
    await engine.startContainer(noReuseId);
    assert.equal(await httpText(port), 'app-v2');
    assert.equal(await httpText(port, '/named/f'), 'named-data');
    const noReuse = await inspect(noReuseId);
    const freshAnon = noReuse.Mounts.find((m) => m.Destination === '/www/data');
    assert.ok(freshAnon?.Name);
    assert.notEqual(freshAnon.Name, oldAnon.Name);
    const missing = await fetch(`http://127.0.0.1:${port}/data/f`);
    assert.equal(missing.status, 404, 'a fresh anonymous volume is empty');
    await missing.body?.cancel();
    assert.deepEqual(noReuse.Config.Env.slice().sort(), [
      'IMG_ONLY=v2',
      'SHARED=from-user',
      'USER_SET=hello',
      'V2_ONLY=yes',
    ]);

    await engine.removeContainer(noReuseId, { volumes: true });
    await engine.removeContainer(noReuseId, { volumes: true }); // gone: no error
    assert.equal(await engine.inspectContainer(noReuseId), null);
  });

  test('user-set CMD, entrypoint and working dir stay; rename; a broken release shows its logs', async () => {
    const repo = `${run}/keep`;
    const ref = `${registry}/${repo}:1`;
    await buildAndPushImage({ repo, tag: '1', version: 'k1', workdir: '/www' });
    await pullIntoEngine(ref);
    const oldId = await createContainer(`${run}-keep`, ref, {
      Cmd: ['sh', '-c', 'echo user-cmd; exec sleep 600'],
      WorkingDir: '/',
      StopTimeout: 1,
      HostConfig: { NetworkMode: 'none' },
    });
    await buildAndPushImage({
      repo,
      tag: '1',
      version: 'k2',
      workdir: '/tmp',
      cmd: EXIT_AT_ONCE_CMD,
    });
    await engine.pullImage(ref);
    const keptId = await engine.createReplacement({
      fromContainerId: oldId,
      imageRef: ref,
      name: transientName(`${run}-keep`, 'new', 'k'),
      labels: {},
      reuseVolumes: true,
    });
    assert.equal((await engine.inspectContainer(keptId))?.publishesPorts, false);
    const kept = await inspect(keptId);
    assert.deepEqual(kept.Config.Cmd, ['sh', '-c', 'echo user-cmd; exec sleep 600']);
    assert.equal(kept.Config.WorkingDir, '/');
    assert.equal(kept.HostConfig.NetworkMode, 'none');
    assert.equal((kept.Config as { StopTimeout?: number }).StopTimeout, 1);
    await engine.startContainer(keptId);
    assert.equal(
      await waitFor('the log line', async () => (await engine.logsTail(keptId, 5)) || undefined),
      'user-cmd',
    );
    await engine.renameContainer(keptId, `${run}-keep-renamed`);
    assert.equal((await engine.inspectContainer(keptId))?.name, `${run}-keep-renamed`);
    await engine.stopContainer(keptId);

    // A container running the image's own (broken) CMD exits at once; its logs say why.
    const brokenId = await createContainer(`${run}-broken`, ref, {
      HostConfig: { NetworkMode: 'none' },
    });
    await engine.startContainer(brokenId);
    const exited = await waitFor('the broken container to exit', async () => {
      const info = await engine.inspectContainer(brokenId);
      return info && !info.running ? info : undefined;
    });
    assert.equal(exited.exitCode, 3);
    assert.equal(exited.state, 'exited');
    assert.equal(await engine.logsTail(brokenId, 10), 'v2 is broken: exiting');
  });

  test('a healthcheck that never passes reports unhealthy', async () => {
    const repo = `${run}/sick`;
    const ref = `${registry}/${repo}:1`;
    await buildAndPushImage({ repo, tag: '1', version: 's1', healthcheck: 'never' });
    await pullIntoEngine(ref);
    const id = await createContainer(`${run}-sick`, ref, { HostConfig: { NetworkMode: 'none' } });
    await engine.startContainer(id);
    const sick = await waitFor('unhealthy', async () => {
      const info = await engine.inspectContainer(id);
      return info?.health === 'unhealthy' ? info : undefined;
    });
    assert.equal(sick.running, true);
  });

  test('daemon errors carry the daemon message', async () => {
    assert.equal(await engine.inspectContainer(`${run}-no-such-container`), null);
    await expectHoistError(
      engine.startContainer(`${run}-no-such-container`),
      'engine_error',
      /No such container/i,
    );
    await expectHoistError(
      engine.createReplacement({
        fromContainerId: `${run}-no-such-container`,
        imageRef: 'busybox:latest',
        name: `${run}-x`,
        labels: {},
        reuseVolumes: true,
      }),
      'engine_error',
      /does not exist/,
    );
    await engine.removeContainer(`${run}-no-such-container`, { volumes: false });
  });
});

describe('DockerEngine: publishesPorts', () => {
  test('host ports bound or published, or the host network; not exposed-only ports', async () => {
    const ref = `${registry}/${run}/ports:1`;
    await buildAndPushImage({
      repo: `${run}/ports`,
      tag: '1',
      version: 'ports',
      expose: ['80/tcp'],
    });
    await pullIntoEngine(ref);
    const net = `${run}-portnet`;
    await docker.createNetwork({ Name: net, Driver: 'bridge', Labels: { ...TEST_LABELS } });

    const exposedOnly = await createContainer(`${run}-exposed`, ref, {
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { NetworkMode: net },
    });
    assert.equal((await engine.inspectContainer(exposedOnly))?.publishesPorts, false);

    // -p 80: a binding without a host port; Docker picks one when the container starts.
    const random = await createContainer(`${run}-random`, ref, {
      ExposedPorts: { '80/tcp': {} },
      StopTimeout: 1, // busybox httpd as pid 1 ignores SIGTERM
      HostConfig: { NetworkMode: net, PortBindings: { '80/tcp': [{ HostPort: '' }] } },
    });
    assert.equal((await engine.inspectContainer(random))?.publishesPorts, false, 'not yet');
    await engine.startContainer(random);
    assert.equal((await engine.inspectContainer(random))?.publishesPorts, true, 'once started');

    const fixed = await createContainer(`${run}-fixed`, ref, {
      ExposedPorts: { '80/tcp': {} },
      HostConfig: {
        NetworkMode: net,
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(await freePort()) }] },
      },
    });
    assert.equal((await engine.inspectContainer(fixed))?.publishesPorts, true);

    const host = await createContainer(`${run}-hostnet`, ref, {
      HostConfig: { NetworkMode: 'host' },
    });
    assert.equal((await engine.inspectContainer(host))?.publishesPorts, true);
    await engine.stopContainer(random);
  });
});

describe('DockerEngine: createServiceContainer', () => {
  test('creates (does not start) a labelled container with env, volumes, ports, restart policy and networks', async () => {
    const repo = `${run}/made`;
    const ref = `${registry}/${repo}:1`;
    await buildAndPushImage({ repo, tag: '1', version: 'made-v1' });
    await engine.pullImage(ref);
    const netA = `${run}-made-a`;
    const netB = `${run}-made-b`;
    for (const name of [netA, netB]) {
      await docker.createNetwork({ Name: name, Driver: 'bridge', Labels: { ...TEST_LABELS } });
    }
    const volume = `${run}-made-data`;
    await docker.createVolume({ Name: volume, Labels: { ...TEST_LABELS } });
    const port = await freePort();
    const service: NewService = {
      name: `${run}-made`,
      image: ref,
      replicas: 2,
      env: { GREETING: 'hello world' },
      ports: [{ published: port, target: 80, protocol: 'tcp' }],
      volumes: [
        { source: volume, target: '/www/data' },
        { source: '/etc', target: '/host-etc', readOnly: true },
      ],
      networks: [netA, netB],
      restartPolicy: 'unless-stopped',
      labels: { ...TEST_LABELS, 'app.tier': 'web', 'io.hoist.service': 'not-this' },
    };
    const id = await engine.createServiceContainer(service, `${run}-made-1`);
    const created = await inspect(id);
    assert.equal(created.State.Status, 'created');
    assert.equal(created.Name, `/${run}-made-1`);
    assert.equal(created.Config.Image, ref);
    assert.ok(created.Config.Env.includes('GREETING=hello world'));
    assert.deepEqual(created.Config.Labels, {
      ...TEST_LABELS,
      'io.hoist.test.version': 'made-v1',
      'app.tier': 'web',
      'io.hoist.service': `${run}-made`,
    });
    assert.deepEqual(created.HostConfig.Binds, [`${volume}:/www/data`, '/etc:/host-etc:ro']);
    assert.deepEqual(created.HostConfig.PortBindings, {
      '80/tcp': [{ HostIp: '', HostPort: String(port) }],
    });
    assert.deepEqual(Object.keys(created.Config.ExposedPorts ?? {}), ['80/tcp']);
    assert.deepEqual(created.HostConfig.RestartPolicy, {
      Name: 'unless-stopped',
      MaximumRetryCount: 0,
    });
    assert.equal(created.HostConfig.NetworkMode, netA);
    const networks = created.NetworkSettings.Networks;
    assert.deepEqual(Object.keys(networks).sort(), [netA, netB].sort());
    for (const net of Object.values(networks)) {
      assert.ok((net.Aliases as string[] | null)?.includes(`${run}-made`), 'service name alias');
    }

    await engine.startContainer(id);
    assert.equal(await httpText(port), 'made-v1');
    const found = await engine.getService({ kind: 'hoist', key: `${run}-made` });
    assert.equal(found?.containers.length, 1);
    assert.equal(found?.containers[0]?.id, id);
    assert.equal(found?.containers[0]?.publishesPorts, true);
    assert.equal(found?.labels['io.hoist.service'], `${run}-made`);
    await engine.removeContainer(id, { volumes: false });

    // 'no' and 'on-failure'; no networks, ports or volumes: Docker's defaults.
    const plain = await engine.createServiceContainer(
      { ...service, networks: [], ports: [], volumes: [], env: {}, restartPolicy: 'on-failure' },
      `${run}-made-2`,
    );
    const plainInfo = await inspect(plain);
    assert.equal(plainInfo.HostConfig.RestartPolicy?.Name, 'on-failure');
    assert.equal(plainInfo.HostConfig.Binds, null);
    assert.equal((await engine.inspectContainer(plain))?.publishesPorts, false);

    // A network that cannot be joined: nothing is left behind.
    await expectHoistError(
      engine.createServiceContainer(
        { ...service, networks: [netA, `${run}-no-such-net`], ports: [] },
        `${run}-made-3`,
      ),
      'bad_request',
      /Network "[^"]+-no-such-net" does not exist/,
    );
    assert.equal(await engine.inspectContainer(`${run}-made-3`), null);
  });
});

describe('DockerEngine: unreachable engine', () => {
  test('a socket that does not exist gives EngineUnavailableError naming it', async () => {
    const socket = `/tmp/${run}-missing.sock`;
    const missing = new DockerEngine({ dockerHost: `unix://${socket}` });
    for (const attempt of [() => missing.info(), () => missing.listServices()]) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof EngineUnavailableError, String(error));
        assert.equal(error.code, 'engine_unavailable');
        assert.ok(error.message.includes(`unix://${socket}`), error.message);
        assert.match(error.message, /dockerd is running|DOCKER_HOST/);
        return true;
      });
    }
  });

  test('a TCP port nobody listens on gives EngineUnavailableError', async () => {
    const port = await freePort();
    const missing = new DockerEngine({ dockerHost: `tcp://127.0.0.1:${port}` });
    await assert.rejects(missing.pullImage('busybox:latest'), EngineUnavailableError);
  });
});
