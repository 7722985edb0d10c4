import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  EXIT_AT_ONCE_CMD,
  TEST_LABELS,
  buildAndPushTestImage,
  cleanupTestContainers,
  freePort,
  testDocker,
  testEngineEnv,
} from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  allContainerNames,
  callHook,
  createWebhook,
  execIn,
  findService,
  httpText,
  runTestContainer,
  waitForActionEnd,
} from '../support/scenario.js';

describe('redeploy on a standalone engine, through the HTTP API', () => {
  let server: TestServer;

  before(async () => {
    await cleanupTestContainers();
    server = await startTestServer();
  });

  after(async () => {
    await server?.close();
    await cleanupTestContainers();
  });

  test('a container keeps its env, named volume data, network alias and published port on v2', async () => {
    const docker = testDocker();
    const v1 = await buildAndPushTestImage({
      repo: 'hoist-test/keep',
      tag: 'latest',
      version: 'keep v1',
      env: { FROM_IMAGE: 'one' },
    });
    await docker.createVolume({ Name: 'hoist-test-keep-data', Labels: { ...TEST_LABELS } });
    await docker.createNetwork({ Name: 'hoist-test-keep-net', Labels: { ...TEST_LABELS } });
    const port = await freePort();
    await runTestContainer({
      name: 'hoist-test-keep',
      Image: v1.ref,
      Env: ['GREETING=hello world'],
      ExposedPorts: { '80/tcp': {} },
      HostConfig: {
        Binds: ['hoist-test-keep-data:/data'],
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] },
        RestartPolicy: { Name: 'unless-stopped' },
        NetworkMode: 'hoist-test-keep-net',
      },
      NetworkingConfig: {
        EndpointsConfig: { 'hoist-test-keep-net': { Aliases: ['keep-alias'] } },
      },
    });
    await execIn('hoist-test-keep', ['sh', '-c', 'echo precious > /data/file']);
    assert.equal(await httpText(port), 'keep v1');

    const service = await findService(server, 'hoist-test-keep');
    assert.equal(service.kind, 'container');
    assert.equal(service.digest, v1.digest);
    const { url } = await createWebhook(server, service.id, 'ci');

    const v2 = await buildAndPushTestImage({
      repo: 'hoist-test/keep',
      tag: 'latest',
      version: 'keep v2',
      env: { FROM_IMAGE: 'two' },
    });
    const call = await callHook(url, {
      body: 'anything',
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(call.status, 202);
    assert.equal(call.body.coalesced, false);
    const action = await waitForActionEnd(server, call.body.action.id);
    assert.equal(action.state, 'Success', JSON.stringify(action.log));
    assert.equal(action.digestBefore, v1.digest);
    assert.equal(action.digestAfter, v2.digest);
    assert.equal(action.trigger.webhookName, 'ci');
    assert.ok(
      action.log.some((l) => l.message.includes('(stop-first: it publishes host ports)')),
      JSON.stringify(action.log),
    );

    const after = await docker.getContainer('hoist-test-keep').inspect();
    assert.equal(after.State.Running, true);
    assert.equal(after.Image, v2.imageId);
    assert.ok(after.Config.Env.includes('GREETING=hello world'));
    assert.ok(after.Config.Env.includes('FROM_IMAGE=two'), 'the image default comes from v2');
    assert.ok(!after.Config.Env.includes('FROM_IMAGE=one'));
    assert.equal(after.HostConfig.RestartPolicy?.Name, 'unless-stopped');
    const aliases = after.NetworkSettings.Networks['hoist-test-keep-net']?.Aliases ?? [];
    assert.ok(aliases.includes('keep-alias'), `aliases: ${aliases.join(', ')}`);
    assert.equal(await execIn('hoist-test-keep', ['cat', '/data/file']), 'precious');
    assert.equal(await httpText(port), 'keep v2');

    const again = await findService(server, 'hoist-test-keep');
    assert.equal(again.id, service.id, 'the service keeps its id across a redeploy');
    assert.equal(again.digest, v2.digest);
    assert.deepEqual(
      (await allContainerNames()).filter((n) => n.includes('hoist-test-keep')),
      ['hoist-test-keep'],
    );
  });

  test('a 2-container compose service is replaced one container at a time', async () => {
    const v1 = await buildAndPushTestImage({
      repo: 'hoist-test/pair',
      tag: 'latest',
      version: 'pair v1',
    });
    for (const n of [1, 2]) {
      await runTestContainer({
        name: `hoisttest-pair-${n}`,
        Image: v1.ref,
        Labels: {
          'com.docker.compose.project': 'hoisttest',
          'com.docker.compose.service': 'pair',
          'com.docker.compose.container-number': String(n),
        },
      });
    }
    const service = (
      await server.api<{
        services: { id: string; kind: string; containers: unknown[]; imageRef: string }[];
      }>('GET', '/api/v1/services?q=pair')
    ).body.services.find((s) => s.kind === 'compose');
    assert.ok(service);
    assert.equal(service.containers.length, 2);

    const v2 = await buildAndPushTestImage({
      repo: 'hoist-test/pair',
      tag: 'latest',
      version: 'pair v2',
    });
    const started = await server.api<{ action: { id: string } }>(
      'POST',
      `/api/v1/services/${service.id}/redeploy`,
      {},
    );
    assert.equal(started.status, 202);
    const action = await waitForActionEnd(server, started.body.action.id);
    assert.equal(action.state, 'Success', JSON.stringify(action.log));
    assert.equal(action.trigger.kind, 'api');

    // Every step of container 1 comes before the first step of container 2.
    const messages = action.log.map((l) => l.message);
    const lastOfFirst = messages.findLastIndex(
      (m) => /hoisttest-pair-1\b/.test(m) && !/Removed/.test(m),
    );
    const firstOfSecond = messages.findIndex((m) => /hoisttest-pair-2\b/.test(m));
    assert.ok(lastOfFirst >= 0 && firstOfSecond > lastOfFirst, messages.join('\n'));
    assert.ok(messages.some((m) => m.includes('stayed running')));
    // No host ports: each replacement came up before its old container stopped.
    assert.equal(messages.filter((m) => m.includes('(start-first')).length, 2, messages.join('\n'));
    const started1 = messages.findIndex((m) => m === 'Started the new container hoisttest-pair-1');
    const stopped1 = messages.findIndex((m) => m === 'Stopped the old container hoisttest-pair-1');
    assert.ok(started1 >= 0 && stopped1 > started1, messages.join('\n'));

    for (const n of [1, 2]) {
      const info = await testDocker().getContainer(`hoisttest-pair-${n}`).inspect();
      assert.equal(info.State.Running, true);
      assert.equal(info.Image, v2.imageId);
      assert.equal(info.Config.Labels['com.docker.compose.service'], 'pair');
    }
    const again = await findService(server, 'hoisttest-pair');
    assert.equal(again.id, service.id);
  });

  for (const failure of ['exits at once', 'never gets healthy'] as const) {
    test(`an image that ${failure} ends Failed with the old container running and its data intact`, async () => {
      const repo = failure === 'exits at once' ? 'hoist-test/crashy' : 'hoist-test/sickly';
      const name = failure === 'exits at once' ? 'hoist-test-crashy' : 'hoist-test-sickly';
      const v1 = await buildAndPushTestImage({ repo, tag: 'latest', version: `${name} v1` });
      const container = await runTestContainer({
        name,
        Image: v1.ref,
        HostConfig: { Binds: [`${name}-data:/data`] },
      });
      await execIn(name, ['sh', '-c', 'echo keep-me > /data/file']);
      const oldId = container.id;
      const service = await findService(server, name);
      const { url } = await createWebhook(server, service.id, 'registry');

      await buildAndPushTestImage({
        repo,
        tag: 'latest',
        version: `${name} v2`,
        ...(failure === 'exits at once'
          ? { cmd: EXIT_AT_ONCE_CMD }
          : { healthcheck: 'never' as const }),
      });
      const call = await callHook(url);
      assert.equal(call.status, 202);
      const action = await waitForActionEnd(server, call.body.action.id);
      assert.equal(action.state, 'Failed');
      if (failure === 'exits at once') {
        assert.match(action.reason ?? '', /exited with code 3/);
        assert.match(action.reason ?? '', /v2 is broken/);
      } else {
        assert.match(action.reason ?? '', /health check/);
      }
      assert.ok(action.log.some((l) => l.message.startsWith('Rolling back')));

      const now = await testDocker().getContainer(name).inspect();
      assert.equal(now.Id, oldId, 'the old container itself is back');
      assert.equal(now.State.Running, true);
      assert.equal(now.Image, v1.imageId);
      assert.equal(await execIn(name, ['cat', '/data/file']), 'keep-me');
      assert.deepEqual(
        (await allContainerNames()).filter((n) => n.startsWith(name)),
        [name],
        'no replacement left behind',
      );
      await testDocker()
        .getVolume(`${name}-data`)
        .remove({ force: true })
        .catch(() => {});
    });
  }

  test('a burst of 50 concurrent calls yields at most 2 redeploys, every call recorded', async () => {
    const v1 = await buildAndPushTestImage({
      repo: 'hoist-test/burst',
      tag: 'latest',
      version: 'burst v1',
    });
    await runTestContainer({ name: 'hoist-test-burst', Image: v1.ref });
    const service = await findService(server, 'hoist-test-burst');
    const { url } = await createWebhook(server, service.id, 'burst');

    const calls = await Promise.all(Array.from({ length: 50 }, () => callHook(url)));
    assert.ok(calls.every((c) => c.status === 202));
    const ids = new Set(calls.map((c) => c.body.action.id));
    assert.ok(ids.size >= 1 && ids.size <= 2, `got ${ids.size} actions`);
    assert.equal(calls.filter((c) => !c.body.coalesced).length, ids.size);

    for (const id of ids) {
      const action = await waitForActionEnd(server, id);
      assert.equal(action.state, 'Success', JSON.stringify(action.log));
    }
    const listed = await server.api<{ actions: { id: string }[] }>(
      'GET',
      `/api/v1/actions?service=${service.id}`,
    );
    assert.equal(listed.body.actions.length, ids.size);
    const hooks = await server.api<{ webhooks: { callCount: number }[] }>(
      'GET',
      `/api/v1/services/${service.id}/webhooks`,
    );
    assert.equal(hooks.body.webhooks[0]?.callCount, 50);
  });

  test('the engine under test is the private one', () => {
    assert.match(testEngineEnv().dockerHost, /^unix:\/\/\/tmp\/hoist-engine\./);
  });
});
