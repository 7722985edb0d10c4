/**
 * Redeploys that keep or drop anonymous volumes (reuse_volumes), against the
 * private test engine, for volumes from the image's VOLUME and from -v.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  buildAndPushTestImage,
  cleanupTestContainers,
  testDocker,
  type PushedTestImage,
} from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { execIn, findService, runTestContainer, waitForActionEnd } from '../support/scenario.js';

describe('redeploy with reuse_volumes, on anonymous volumes', () => {
  let server: TestServer;
  let image: PushedTestImage;

  before(async () => {
    await cleanupTestContainers();
    server = await startTestServer();
    image = await buildAndPushTestImage({
      repo: 'hoist-test/http-cache',
      tag: 'latest',
      version: 'cache v1',
      volumes: ['/cache'],
    });
  });

  after(async () => {
    await server?.close();
    await cleanupTestContainers();
  });

  const cacheVolume = async (name: string): Promise<string> => {
    const info = await testDocker().getContainer(name).inspect();
    const mount = info.Mounts.find((m) => m.Destination === '/cache');
    assert.ok(mount?.Name, `${name} has no volume at /cache`);
    return mount.Name;
  };

  const redeploy = async (name: string, body: unknown) => {
    const service = await findService(server, name);
    const started = await server.api<{ action: { id: string } }>(
      'POST',
      `/api/v1/services/${service.id}/redeploy`,
      body,
    );
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const action = await waitForActionEnd(server, started.body.action.id);
    assert.equal(action.state, 'Success', JSON.stringify(action.log));
    return action;
  };

  const volumeExists = async (volume: string) =>
    testDocker()
      .getVolume(volume)
      .inspect()
      .then(
        () => true,
        (error: { statusCode?: number }) => {
          if (error.statusCode === 404) return false;
          throw error;
        },
      );

  for (const origin of ['VOLUME in the image', '-v /cache on the container'] as const) {
    const slug = origin.startsWith('VOLUME') ? 'image' : 'run';
    const createBody = (name: string) =>
      origin.startsWith('VOLUME')
        ? { name, Image: image.ref, StopTimeout: 1 }
        : { name, Image: image.ref, StopTimeout: 1, Volumes: { '/cache': {} } };

    test(`default (reuse_volumes true) keeps /cache (${origin})`, async () => {
      const name = `hoist-test-http-keep-${slug}`;
      await runTestContainer(createBody(name));
      await execIn(name, ['sh', '-c', 'echo warm > /cache/file']);
      const volume = await cacheVolume(name);

      await redeploy(name, undefined);
      assert.equal(await execIn(name, ['cat', '/cache/file']), 'warm');
      assert.equal(await cacheVolume(name), volume, 'the same volume is mounted');
    });

    test(`reuse_volumes false gives a fresh, empty /cache (${origin})`, async () => {
      const name = `hoist-test-http-fresh-${slug}`;
      await runTestContainer(createBody(name));
      await execIn(name, ['sh', '-c', 'echo stale > /cache/file']);
      const volume = await cacheVolume(name);

      await redeploy(name, { reuse_volumes: false });
      assert.equal(await execIn(name, ['ls', '-A', '/cache']), '', '/cache is empty');
      assert.notEqual(await cacheVolume(name), volume, 'a new volume is mounted');
      assert.equal(
        await volumeExists(volume),
        false,
        'the old anonymous volume went with its container',
      );
    });
  }

  // A reusing redeploy mounts the anonymous volume by name; the adapter's label keeps it
  // anonymous for later redeploys, and it goes with its container.
  test('reuse_volumes false after a default redeploy still gives a fresh /cache', async () => {
    const name = 'hoist-test-http-twice';
    await runTestContainer({ name, Image: image.ref, StopTimeout: 1 });
    await execIn(name, ['sh', '-c', 'echo stale > /cache/file']);
    const volume = await cacheVolume(name);

    await redeploy(name, {});
    assert.equal(await execIn(name, ['cat', '/cache/file']), 'stale');

    await redeploy(name, { reuse_volumes: false });
    const info = await testDocker().getContainer(name).inspect();
    assert.equal(
      await execIn(name, ['ls', '-A', '/cache']),
      '',
      `/cache is not fresh; HostConfig.Binds: ${JSON.stringify(info.HostConfig.Binds)}`,
    );
    assert.notEqual(await cacheVolume(name), volume);
    assert.equal(await volumeExists(volume), false, 'the carried volume went with its container');
  });
});
