/**
 * Hoist's container image, for real: built from the Dockerfile on the private
 * test engine (once per run, or taken from the cache: test/support/hoist-image.ts),
 * then run there with the engine's socket mounted, as the README says to run it.
 *
 * The test engine has no bridge network, so Hoist's container runs on the
 * host's network, listening on a free port of 127.0.0.1 that the test calls.
 */
import assert from 'node:assert/strict';
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
  execInContainer,
  freePort,
  TEST_LABELS,
  testDocker,
  testEngineEnv,
  waitFor,
} from '../support/test-engine.js';

const HOIST = 'hoist-image-test';
const WEB = 'hoist-image-test-web';
const VOLUME = 'hoist-image-test-data';

describe('the container image', () => {
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
    console.log(`# ${image.ref}: ${image.source} in ${seconds} s`);
    await cleanupTestContainers();

    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await testDocker().createVolume({ Name: VOLUME, Labels: { ...TEST_LABELS } });
    container = await runTestContainer({
      name: HOIST,
      Image: image.ref,
      Env: [`HOIST_PORT=${port}`, 'HOIST_HOST=127.0.0.1', `HOIST_PUBLIC_URL=${url}`],
      // The image's health check, every second instead of every 30 s.
      Healthcheck: { Interval: 1_000_000_000 },
      HostConfig: {
        NetworkMode: 'host',
        Binds: [
          `${testEngineEnv().dockerHost.replace(/^unix:\/\//, '')}:/var/run/docker.sock`,
          `${VOLUME}:/data`,
        ],
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
