/**
 * Hoist's container image, for real: built from the Dockerfile on the private
 * test engine (once per run, or taken from the cache: test/support/hoist-image.ts),
 * then run there with the engine's socket mounted, as the README says to run it
 * (as uid 1000 with the socket's group, read-only root), deployed with deploy/hoist-stack.yml on
 * the one-node test swarm, and run with deploy/compose.yaml by Compose v1 (docker-compose).
 *
 * The test engine has no bridge network, so Hoist's container runs on the
 * host's network, listening on a free port of 127.0.0.1 that the test calls.
 * On the swarm, the stack publishes its port in host mode (no routing mesh here).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type Dockerode from 'dockerode';
import { demultiplex } from '../../src/adapters/engine/log-demultiplex.js';
import { hoistImage } from '../support/hoist-image.js';
import { apiRequest } from '../support/api-request.js';
import {
  createWebhook,
  findService,
  postHook,
  runTestContainer,
  waitForActionEnd,
  type ApiClient,
  type ApiService,
} from '../support/scenario.js';
import {
  buildAndPushTestImage,
  cleanupTestContainers,
  cleanupTestSwarmServices,
  execInContainer,
  freePort,
  TEST_LABELS,
  testDocker,
  testEngineEnv,
  testSwarmDocker,
  testSwarmDockerHost,
  waitFor,
} from '../support/test-engine.js';
import { REPO_ROOT } from '../support/repo-root.js';

const HOIST = 'hoist-image-test';
const WEB = 'hoist-image-test-web';
const VOLUME = 'hoist-image-test-data';

describe('the container image, run as uid 1000 on a read-only root file system', () => {
  let container: Dockerode.Container;
  let url: string;
  let token: string;
  let hoist: ApiClient;

  const logs = async () =>
    demultiplex(
      (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer,
    );
  const healthy = () =>
    waitFor(
      'the health check to pass',
      async () => {
        const { State } = await container.inspect();
        return State.Health?.Status === 'healthy' ? State : undefined;
      },
      60_000,
      250,
    );

  before(async () => {
    const started = Date.now();
    const image = await hoistImage(testEngineEnv().dockerHost);
    const seconds = Math.round((Date.now() - started) / 1000);
    const { Size } = await testDocker().getImage(image.ref).inspect();
    // The source of the README's "about 200 MB".
    console.log(`# ${image.ref}: ${image.source} in ${seconds} s, ${Math.round(Size / 1e6)} MB`);
    await cleanupTestContainers();

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const socket = testEngineEnv().dockerHost.replace(/^unix:\/\//, '');
    await testDocker().createVolume({ Name: VOLUME, Labels: { ...TEST_LABELS } });
    container = await runTestContainer({
      name: HOIST,
      Image: image.ref,
      Env: [`HOIST_PORT=${port}`, 'HOIST_HOST=127.0.0.1', `HOIST_PUBLIC_URL=${url}`],
      // The image's health check, every second instead of every 30 s.
      Healthcheck: { Interval: 1_000_000_000 },
      // Not root, on a read-only root file system, as the README says it can run.
      User: '1000',
      HostConfig: {
        NetworkMode: 'host',
        GroupAdd: [String((await stat(socket)).gid)],
        ReadonlyRootfs: true,
        Binds: [`${socket}:/var/run/docker.sock`, `${VOLUME}:/data`],
      },
    });
    await healthy();
    token = (/^ {4}(hoist_\S+)$/m.exec(await logs()) ?? [])[1] ?? '';
    hoist = { api: (method, route, body) => apiRequest(url, token, method, route, body) };
  });

  after(async () => {
    await cleanupTestContainers();
  });

  it('prints the admin token once on its first start, and turns healthy', async () => {
    assert.match(token, /^hoist_[A-Za-z0-9_-]{43,}$/, await logs());
    assert.equal((await logs()).split(token).length - 1, 1, 'printed once');
    assert.equal((await hoist.api('GET', '/api/v1/engines')).status, 200);
  });

  it('lists the services on the engine, itself among them; `hoist` in the image does too', async () => {
    const web = await buildAndPushTestImage({
      repo: 'hoist-test/image-web',
      tag: 'latest',
      version: 'v1',
    });
    await runTestContainer({ name: WEB, Image: web.ref, StopTimeout: 1 });

    const services = (
      await hoist.api<{ services: (ApiService & { self: boolean })[] }>('GET', '/api/v1/services')
    ).body.services;
    assert.deepEqual(
      services.map((s) => [s.name, s.self]),
      [
        [HOIST, true],
        [WEB, false],
      ],
    );
    const cli = await execInContainer(HOIST, ['hoist', 'service', 'ls']);
    assert.equal(cli.exitCode, 0, cli.output);
    assert.match(cli.output, new RegExp(`${HOIST} \\(Hoist itself\\)`));
    assert.match(cli.output, new RegExp(WEB));
  });

  it('redeploys a service through a handler created with its API', async () => {
    const web = await findService(hoist, WEB);
    const v2 = await buildAndPushTestImage({
      repo: 'hoist-test/image-web',
      tag: 'latest',
      version: 'v2',
    });
    const handler = await createWebhook(hoist, web.id, 'ci');
    const call = await postHook(handler.url);
    assert.equal(call.status, 202, JSON.stringify(call.body));
    const action = await waitForActionEnd(hoist, call.body?.action?.id ?? '');
    assert.equal(action.state, 'Success', JSON.stringify(action.log));
    assert.equal(action.digestAfter, v2.digest);
    assert.equal((await findService(hoist, WEB)).digest, v2.digest);
  });

  it('refuses a handler aimed at its own container, saying why, and stays up', async () => {
    const self = await findService(hoist, HOIST);
    const handler = await createWebhook(hoist, self.id, 'self');
    const call = await postHook(handler.url);
    assert.equal(call.status, 200);
    assert.equal(call.body?.ignored, true);
    assert.match(
      (call.body as { reason: string }).reason,
      new RegExp(`^${HOIST} is Hoist itself: .*allowSelfRedeploy`),
    );
    const api = await hoist.api<{ error: { code: string } }>(
      'POST',
      `/api/v1/services/${self.id}/redeploy`,
    );
    assert.equal(api.status, 409);
    assert.equal(api.body.error.code, 'service_is_hoist');
    const { body } = await hoist.api<{ actions: unknown[] }>(
      'GET',
      `/api/v1/actions?service=${self.id}`,
    );
    assert.deepEqual(body.actions, []);
    assert.equal((await container.inspect()).State.Running, true);
  });

  it('stops cleanly on docker stop, and keeps its data across docker start', async () => {
    const before = await findService(hoist, WEB);
    await container.stop();
    const stopped = (await container.inspect()).State;
    assert.equal(stopped.ExitCode, 0, 'exited by itself, not killed after the grace period');

    await container.start();
    await healthy();
    assert.equal((await logs()).split(token).length - 1, 1, 'no second token printed');
    const after = await findService(hoist, WEB);
    assert.equal(after.id, before.id, 'the same service id');
    const { status, body } = await hoist.api<{ webhooks: { name: string }[] }>(
      'GET',
      `/api/v1/services/${after.id}/webhooks`,
    );
    assert.equal(status, 200, 'the same admin token');
    assert.deepEqual(
      body.webhooks.map((w) => w.name),
      ['ci'],
    );
  });
});

describe('the Swarm stack file', () => {
  const STACK = 'hoist-image-test';
  const WEB_SERVICE = 'hoist-image-test-stack-web';
  let docker: Dockerode;
  let hoist: ApiClient;
  let env: NodeJS.ProcessEnv | undefined;

  /** The docker CLI on the test swarm, with the stack file's variables set. */
  const dockerCli = async (...args: string[]) =>
    (await promisify(execFile)('docker', args, { env, cwd: REPO_ROOT })).stdout;

  before(async () => {
    docker = testSwarmDocker();
    await cleanupTestSwarmServices();
    const image = await hoistImage(testSwarmDockerHost());
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      DOCKER_HOST: testSwarmDockerHost(),
      HOIST_IMAGE: image.ref,
      HOIST_PORT: String(port),
      HOIST_PUBLIC_URL: url,
      DOCKER_SOCKET: testSwarmDockerHost().replace(/^unix:\/\//, ''),
    };
    await dockerCli('stack', 'deploy', '-c', 'deploy/hoist-stack.yml', STACK);
    const token = await waitFor(
      'Hoist to start on the swarm and print its admin token',
      async () => {
        const logs = await dockerCli('service', 'logs', '--raw', `${STACK}_hoist`);
        return /^ {4}(hoist_\S+)$/m.exec(logs)?.[1];
      },
      120_000,
      500,
    );
    hoist = { api: (method, route, body) => apiRequest(url, token, method, route, body) };
  });

  after(async () => {
    if (!env) return;
    await dockerCli('stack', 'rm', STACK).catch(() => '');
    // Its volume can go once the task's container has.
    const namespace = { label: [`com.docker.stack.namespace=${STACK}`] };
    await waitFor(
      'the stack to be gone',
      async () => (await docker.listContainers({ all: true, filters: namespace })).length === 0,
      60_000,
      250,
    );
    await docker
      .getVolume(`${STACK}_hoist-data`)
      .remove()
      .catch(() => undefined);
    await cleanupTestSwarmServices();
  });

  it('answers, knows its own Swarm service, and redeploys another', async () => {
    const v1 = await buildAndPushTestImage({
      repo: 'hoist-test/stack-web',
      tag: 'latest',
      version: 'v1',
    });
    const created = (await docker.createService({
      Name: WEB_SERVICE,
      Labels: { ...TEST_LABELS },
      TaskTemplate: {
        ContainerSpec: { Image: `${v1.ref}@${v1.digest}`, StopGracePeriod: 1_000_000_000 },
      },
      Mode: { Replicated: { Replicas: 1 } },
    } as Dockerode.CreateServiceOptions)) as { id?: string; ID?: string };
    const webId = (created.id ?? created.ID)!;

    const { body } = await hoist.api<{ services: (ApiService & { self: boolean })[] }>(
      'GET',
      '/api/v1/services',
    );
    assert.deepEqual(
      body.services.map((s) => [s.name, s.kind, s.self]),
      [
        [`${STACK}_hoist`, 'swarm', true],
        [WEB_SERVICE, 'swarm', false],
      ],
    );

    const v2 = await buildAndPushTestImage({
      repo: 'hoist-test/stack-web',
      tag: 'latest',
      version: 'v2',
    });
    const handler = await createWebhook(hoist, (await findService(hoist, WEB_SERVICE)).id, 'ci');
    const call = await postHook(handler.url);
    assert.equal(call.status, 202, JSON.stringify(call.body));
    const action = await waitForActionEnd(hoist, call.body?.action?.id ?? '');
    assert.equal(action.state, 'Success', JSON.stringify(action.log));
    const spec = (await docker.getService(webId).inspect()) as {
      Spec: { TaskTemplate: { ContainerSpec: { Image: string } } };
    };
    assert.equal(spec.Spec.TaskTemplate.ContainerSpec.Image, `${v2.ref}@${v2.digest}`);

    const self = await findService(hoist, `${STACK}_hoist`);
    const own = await postHook((await createWebhook(hoist, self.id, 'self')).url);
    assert.equal(own.body?.ignored, true, JSON.stringify(own.body));
  });
});

describe('the Compose file', () => {
  // Compose v1 (Debian's docker-compose 1.29; Debian has no compose plugin) runs the file as
  // the README's `docker compose -p hoist ...` would: the project's own bridge network, the
  // port published through docker-proxy, the socket mounted, a named volume.
  const PROJECT = 'hoist-image-test-compose';
  let env: NodeJS.ProcessEnv | undefined;
  let url = '';
  let hoist: ApiClient;

  const compose = async (...args: string[]) => {
    try {
      return (
        await promisify(execFile)(
          'docker-compose',
          ['-p', PROJECT, '-f', 'deploy/compose.yaml', ...args],
          { env, cwd: REPO_ROOT },
        )
      ).stdout;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new Error(
          'docker-compose is not installed: the Compose file test needs it (bash scripts/setup.sh, or apt-get install docker-compose).',
        );
      }
      throw error;
    }
  };

  before(async () => {
    const image = await hoistImage(testEngineEnv().dockerHost);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    env = {
      ...process.env,
      DOCKER_HOST: testEngineEnv().dockerHost,
      HOIST_IMAGE: image.ref,
      HOIST_PORT: String(port),
      HOIST_PUBLIC_URL: url,
      DOCKER_SOCKET: testEngineEnv().dockerHost.replace(/^unix:\/\//, ''),
    };
    await compose('up', '-d', '--no-build');
    const token = await waitFor(
      'Hoist to start under Compose and print its admin token',
      async () => /(hoist_[A-Za-z0-9_-]{43,})\s*$/m.exec(await compose('logs', '--no-color'))?.[1],
      60_000,
      500,
    );
    hoist = { api: (method, route, body) => apiRequest(url, token, method, route, body) };
  });

  after(async () => {
    if (env) await compose('down', '--volumes', '--timeout', '10');
  });

  it('answers on the published port, knows its own container and leaves it alone', async () => {
    const { status, body } = await hoist.api<{ services: (ApiService & { self: boolean })[] }>(
      'GET',
      '/api/v1/services',
    );
    assert.equal(status, 200);
    const own = body.services.filter((s) => s.self);
    assert.equal(own.length, 1, JSON.stringify(body.services));
    const self = own[0] as ApiService;
    const call = await postHook((await createWebhook(hoist, self.id, 'self')).url);
    assert.equal(call.status, 200);
    assert.equal(call.body?.ignored, true, JSON.stringify(call.body));
    // Handler URLs are made from HOIST_PUBLIC_URL, as the file passes it.
    assert.ok((await createWebhook(hoist, self.id, 'url')).url.startsWith(`${url}/hooks/`));
  });

  it('keeps its data in the named volume across `down` and `up`', async () => {
    const selfOf = (services: ApiService[]) =>
      services.find((s) => (s as ApiService & { self: boolean }).self);
    const before = selfOf(
      (await hoist.api<{ services: ApiService[] }>('GET', '/api/v1/services')).body.services,
    );
    await compose('down', '--timeout', '10');
    await compose('up', '-d', '--no-build');
    const again = await waitFor(
      'Hoist to answer again with the same admin token',
      async () => {
        const answer = await hoist
          .api<{ services: ApiService[] }>('GET', '/api/v1/services')
          .catch(() => undefined);
        return answer?.status === 200 ? answer.body : undefined;
      },
      60_000,
      500,
    );
    const self = selfOf(again.services);
    assert.ok(self, JSON.stringify(again.services));
    assert.equal(self.id, before?.id, 'the same service, found again in the same database');
    const { body } = await hoist.api<{ webhooks: { name: string }[] }>(
      'GET',
      `/api/v1/services/${self.id}/webhooks`,
    );
    assert.deepEqual(body.webhooks.map((w) => w.name).sort(), ['self', 'url']);
  });
});
