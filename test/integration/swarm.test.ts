import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type Dockerode from 'dockerode';
import {
  EXIT_AT_ONCE_CMD,
  TEST_LABELS,
  buildAndPushTestImage,
  cleanupTestContainers,
  cleanupTestSwarmServices,
  testSwarmDocker,
  testSwarmDockerHost,
  waitFor,
  type PushedTestImage,
} from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { callHook, findService, waitForActionEnd, type ApiService } from '../support/scenario.js';

interface SwarmSpecOptions {
  name: string;
  image: string;
  replicas: number;
  failureAction: 'rollback' | 'pause';
}

/** A Swarm service made directly on the engine (not by Hoist), fast to update in tests. */
async function createSwarmService(docker: Dockerode, o: SwarmSpecOptions): Promise<string> {
  const created = (await docker.createService({
    Name: o.name,
    Labels: { ...TEST_LABELS },
    TaskTemplate: {
      ContainerSpec: { Image: o.image, StopGracePeriod: 1_000_000_000, Labels: { ...TEST_LABELS } },
      RestartPolicy: { Condition: 'any', Delay: 500_000_000 },
    },
    Mode: { Replicated: { Replicas: o.replicas } },
    UpdateConfig: {
      Parallelism: 1,
      FailureAction: o.failureAction,
      Monitor: 2_000_000_000,
      MaxFailureRatio: 0,
      Order: 'stop-first',
    },
    RollbackConfig: { Parallelism: 0, Monitor: 1_000_000_000, Order: 'stop-first' },
  } as Dockerode.CreateServiceOptions)) as { id?: string; ID?: string };
  return (created.id ?? created.ID)!;
}

async function runningTasks(docker: Dockerode, serviceId: string) {
  const tasks = (await docker.listTasks({
    filters: { service: [serviceId], 'desired-state': ['running'] },
  })) as { Status: { State: string }; Spec: { ContainerSpec: { Image: string } } }[];
  return tasks.filter((t) => t.Status.State === 'running');
}

async function specImage(docker: Dockerode, serviceId: string): Promise<string> {
  const info = (await docker.getService(serviceId).inspect()) as {
    Spec: {
      TaskTemplate: { ContainerSpec: { Image: string } };
      Mode: { Replicated?: { Replicas: number } };
    };
  };
  return info.Spec.TaskTemplate.ContainerSpec.Image;
}

describe('Swarm services', () => {
  let docker: Dockerode;
  let server: TestServer;
  let v1: PushedTestImage;

  before(async () => {
    docker = testSwarmDocker();
    await cleanupTestSwarmServices();
    server = await startTestServer({
      DOCKER_HOST: testSwarmDockerHost(),
      HOIST_SWARM_UPDATE_TIMEOUT_SECONDS: '90',
    });
    v1 = await buildAndPushTestImage({
      repo: 'hoist-test/swarm',
      tag: 'latest',
      version: 'swarm v1',
    });
  });

  after(async () => {
    await server?.close();
    if (docker) await cleanupTestSwarmServices();
  });

  test('the engine is listed in swarm mode', async () => {
    const { body } = await server.api<{ engines: { mode: string; reachable: boolean }[] }>(
      'GET',
      '/api/v1/engines',
    );
    assert.equal(body.engines[0]?.mode, 'swarm');
  });

  test('a 2-replica service redeploys to the new digest, every task on it', async () => {
    const id = await createSwarmService(docker, {
      name: 'hoist-test-roll',
      image: `${v1.ref}@${v1.digest}`,
      replicas: 2,
      failureAction: 'rollback',
    });
    await waitFor(
      '2 running tasks',
      async () => (await runningTasks(docker, id)).length === 2,
      60_000,
    );
    const service = await findService(server, 'hoist-test-roll');
    assert.equal(service.kind, 'swarm');
    assert.equal(service.digest, v1.digest);
    const hook = await server.api<{ url: string }>(
      'POST',
      `/api/v1/services/${service.id}/webhooks`,
      {
        name: 'ci',
      },
    );

    const v2 = await buildAndPushTestImage({
      repo: 'hoist-test/swarm',
      tag: 'latest',
      version: 'swarm v2',
    });
    const call = await callHook(hook.body.url);
    assert.equal(call.status, 202);
    const action = await waitForActionEnd(server, call.body.action.id, 120_000);
    assert.equal(action.state, 'Success', JSON.stringify(action.log));
    assert.equal(action.digestBefore, v1.digest);
    assert.equal(action.digestAfter, v2.digest);

    const pinned = `${v1.ref}@${v2.digest}`;
    assert.equal(await specImage(docker, id), pinned);
    const tasks = await runningTasks(docker, id);
    assert.equal(tasks.length, 2);
    assert.ok(tasks.every((t) => t.Spec.ContainerSpec.Image === pinned));

    const listed = await findService(server, 'hoist-test-roll');
    assert.equal(listed.id, service.id);
    assert.equal(listed.digest, v2.digest);
  });

  for (const failureAction of ['rollback', 'pause'] as const) {
    test(`an image that exits at once ends Failed (update failure action ${failureAction})`, async () => {
      const repo = `hoist-test/swarm-${failureAction}`;
      const good = await buildAndPushTestImage({ repo, tag: 'latest', version: 'good' });
      const name = `hoist-test-${failureAction}`;
      const id = await createSwarmService(docker, {
        name,
        image: `${good.ref}@${good.digest}`,
        replicas: 1,
        failureAction,
      });
      await waitFor(
        'a running task',
        async () => (await runningTasks(docker, id)).length === 1,
        60_000,
      );
      const service = await findService(server, name);
      await buildAndPushTestImage({ repo, tag: 'latest', version: 'bad', cmd: EXIT_AT_ONCE_CMD });

      const started = await server.api<{ action: { id: string } }>(
        'POST',
        `/api/v1/services/${service.id}/redeploy`,
      );
      assert.equal(started.status, 202);
      const action = await waitForActionEnd(server, started.body.action.id, 150_000);
      assert.equal(action.state, 'Failed', JSON.stringify(action.log));
      if (failureAction === 'rollback') {
        assert.match(action.reason ?? '', /rolled the update back/);
        await waitFor(
          'the rollback to the old digest',
          async () => (await specImage(docker, id)) === `${good.ref}@${good.digest}`,
          60_000,
        );
      } else {
        assert.match(action.reason ?? '', /paused/);
      }
      assert.ok(
        action.log.some((l) => /Task .* (failed|rejected|shutdown|complete)/.test(l.message)),
        `the failing task is in the log: ${JSON.stringify(action.log)}`,
      );
    });
  }

  test('five SCALEUP calls add five replicas', async () => {
    const id = await createSwarmService(docker, {
      name: 'hoist-test-grow',
      image: `${v1.ref}@${v1.digest}`,
      replicas: 1,
      failureAction: 'rollback',
    });
    await waitFor(
      'a running task',
      async () => (await runningTasks(docker, id)).length === 1,
      60_000,
    );
    const service = await findService(server, 'hoist-test-grow');
    const hook = await server.api<{ url: string; webhook: { operation: string } }>(
      'POST',
      `/api/v1/services/${service.id}/webhooks`,
      { name: 'grow', operation: 'SCALEUP' },
    );
    assert.equal(hook.body.webhook.operation, 'SCALEUP');
    const calls = [];
    for (let i = 0; i < 5; i++) calls.push(await callHook(hook.body.url));
    assert.ok(calls.every((c) => c.status === 202 && !c.body.coalesced));
    assert.equal(new Set(calls.map((c) => c.body.action.id)).size, 5);
    for (const call of calls) {
      const action = await waitForActionEnd(server, call.body.action.id, 120_000);
      assert.equal(action.state, 'Success', JSON.stringify(action.log));
    }
    await waitFor(
      '6 running tasks',
      async () => (await runningTasks(docker, id)).length === 6,
      60_000,
    );
    const tooMany = await fetch(`${hook.body.url}/11`, { method: 'POST' });
    assert.equal(tooMany.status, 400);
  });

  test('create, scale and delete a service through Hoist', async () => {
    const created = await server.api<ApiService & { createdByHoist: boolean }>(
      'POST',
      '/api/v1/services',
      { name: 'hoist-test-made', image: v1.ref, replicas: 1, labels: { ...TEST_LABELS } },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.kind, 'swarm');
    assert.equal(created.body.createdByHoist, true);
    const scaled = await server.api<{ action: { id: string } }>(
      'POST',
      `/api/v1/services/${created.body.id}/scale`,
      { replicas: 2 },
    );
    assert.equal(scaled.status, 202);
    const action = await waitForActionEnd(server, scaled.body.action.id, 120_000);
    assert.equal(action.state, 'Success', JSON.stringify(action.log));
    const removed = await server.api('DELETE', `/api/v1/services/${created.body.id}`);
    assert.equal(removed.status, 204);
    const left = await docker.listServices({ filters: { name: ['hoist-test-made'] } });
    assert.equal(left.length, 0);
  });

  test('deleting a service Hoist did not create answers 409 and leaves it alone', async () => {
    const id = await createSwarmService(docker, {
      name: 'hoist-test-theirs',
      image: `${v1.ref}@${v1.digest}`,
      replicas: 1,
      failureAction: 'rollback',
    });
    const service = await findService(server, 'hoist-test-theirs');
    const answer = await server.api<{ error: { code: string; message: string } }>(
      'DELETE',
      `/api/v1/services/${service.id}`,
    );
    assert.equal(answer.status, 409);
    assert.equal(answer.body.error.code, 'service_not_owned');
    assert.match(answer.body.error.message, /did not create/);
    assert.ok(await docker.getService(id).inspect());
  });
});

describe('SCALEUP and created services on a standalone engine', () => {
  let server: TestServer;

  before(async () => {
    await cleanupTestContainers();
    server = await startTestServer();
  });

  after(async () => {
    await server?.close();
    await cleanupTestContainers();
  });

  test('five SCALEUP calls add five containers; scale down and delete', async () => {
    const image = await buildAndPushTestImage({
      repo: 'hoist-test/made',
      tag: 'latest',
      version: 'made',
    });
    const created = await server.api<ApiService & { createdByHoist: boolean }>(
      'POST',
      '/api/v1/services',
      { name: 'hoist-test-made', image: image.ref, replicas: 1, labels: { ...TEST_LABELS } },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.kind, 'hoist');
    assert.deepEqual(
      created.body.containers.map((c) => c.name),
      ['hoist-test-made-1'],
    );
    const hook = await server.api<{ url: string }>(
      'POST',
      `/api/v1/services/${created.body.id}/webhooks`,
      { name: 'grow', operation: 'SCALEUP' },
    );
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await callHook(hook.body.url)).body.action.id);
    for (const id of ids) {
      const action = await waitForActionEnd(server, id);
      assert.equal(action.state, 'Success', JSON.stringify(action.log));
    }
    const grown = await findService(server, 'hoist-test-made');
    assert.deepEqual(
      grown.containers.map((c) => [c.name, c.running]),
      [1, 2, 3, 4, 5, 6].map((n) => [`hoist-test-made-${n}`, true]),
    );

    const down = await server.api<{ action: { id: string } }>(
      'POST',
      `/api/v1/services/${created.body.id}/scale`,
      { replicas: 2 },
    );
    assert.equal((await waitForActionEnd(server, down.body.action.id)).state, 'Success');
    const shrunk = await findService(server, 'hoist-test-made');
    assert.deepEqual(
      shrunk.containers.map((c) => c.name),
      ['hoist-test-made-1', 'hoist-test-made-2'],
    );

    assert.equal((await server.api('DELETE', `/api/v1/services/${created.body.id}`)).status, 204);
    const gone = await server.api<{ services: ApiService[] }>('GET', '/api/v1/services');
    assert.ok(!gone.body.services.some((s) => s.name === 'hoist-test-made'));
  });
});
