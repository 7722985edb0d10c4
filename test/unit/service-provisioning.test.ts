/**
 * Services Hoist creates and deletes: what is made on each engine mode, what
 * name clashes and ownership checks refuse. Real SQLite store, in-memory engine.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { HoistError } from '../../src/domain/errors.js';
import { HOIST_SERVICE_LABEL, ServiceCatalog } from '../../src/domain/services/service-catalog.js';
import type { CreateServiceInput } from '../../src/domain/services/service-provisioning.js';
import { ServiceProvisioning } from '../../src/domain/services/service-provisioning.js';
import { composeLabels, FakeClock, FakeEngine } from '../support/fake-engine.js';
import { refusal as refusalOf } from '../support/refusal.js';
import { hoistItself, openStore } from '../support/unit-fixture.js';

const IMAGE = 'registry.example.com/tools/echo:1';

async function fixture(mode: 'standalone' | 'swarm') {
  const store = await openStore();
  const engine = new FakeEngine();
  engine.mode = mode;
  engine.registry.set(IMAGE, { imageId: 'sha256:ech0', digest: 'sha256:d1' });
  const clock = new FakeClock();
  const itself = hoistItself(store, clock, engine);
  const catalog = new ServiceCatalog({ store, engine, engineId: 'local', clock, itself });
  const provisioning = new ServiceProvisioning({
    store,
    engine,
    catalog,
    engineId: 'local',
    clock,
    itself,
  });
  return { store, engine, clock, catalog, provisioning };
}

const ECHO: CreateServiceInput = {
  name: 'echo',
  image: IMAGE,
  replicas: 3,
  env: { GREETING: 'hi' },
  labels: { team: 'tools' },
};

function refusal(promise: Promise<unknown>): Promise<HoistError> {
  return refusalOf(promise, 'it was not refused');
}

describe('ServiceProvisioning', () => {
  it('creates a Swarm service labelled io.hoist.service on a swarm engine, and a swarm record', async () => {
    const f = await fixture('swarm');

    const service = await f.provisioning.create(ECHO);

    assert.deepEqual(f.engine.trace(), ['swarm-create echo']);
    const [made] = [...f.engine.swarmServices.values()];
    assert.ok(made);
    assert.equal(made.labels[HOIST_SERVICE_LABEL], 'echo');
    assert.equal(made.labels.team, 'tools');
    assert.equal(made.imageRef, IMAGE);
    assert.equal(made.replicas, 3);
    assert.equal(service.kind, 'swarm');
    assert.equal(service.name, 'echo');
    assert.equal(service.createdByHoist, true);
    const record = await f.store.getService(service.id);
    assert.equal(record?.kind, 'swarm');
    assert.equal(record?.key, made.id);
  });

  it('pulls, then creates and starts name-1..N labelled containers on a standalone engine, and a hoist record', async () => {
    const f = await fixture('standalone');

    const service = await f.provisioning.create(ECHO);

    assert.deepEqual(f.engine.trace(), [
      `pull ${IMAGE}`,
      `create ${IMAGE} echo-1`,
      'start new-1',
      `create ${IMAGE} echo-2`,
      'start new-2',
      `create ${IMAGE} echo-3`,
      'start new-3',
    ]);
    assert.deepEqual(f.engine.snapshot(), [
      { name: 'echo-1', imageId: 'sha256:ech0', running: true },
      { name: 'echo-2', imageId: 'sha256:ech0', running: true },
      { name: 'echo-3', imageId: 'sha256:ech0', running: true },
    ]);
    for (const c of f.engine.containers.values()) {
      assert.equal(c.labels[HOIST_SERVICE_LABEL], 'echo');
    }
    assert.equal(service.kind, 'hoist');
    assert.equal(service.present, true);
    assert.equal(service.createdByHoist, true);
    assert.equal(service.containers.length, 3);
    const record = await f.store.getService(service.id);
    assert.equal(record?.kind, 'hoist');
    assert.equal(record?.key, 'echo');
  });

  it('removes what it made when a standalone create fails half-way', async () => {
    const f = await fixture('standalone');
    f.engine.addContainer({ name: 'echo-2', imageRef: 'other:1', imageId: 'sha256:o' });

    const error = await refusal(f.provisioning.create(ECHO));

    assert.equal(error.code, 'engine_error');
    assert.deepEqual(
      f.engine.snapshot().map((c) => c.name),
      ['echo-2'],
      'echo-1 was removed again; the foreign echo-2 is untouched',
    );
  });

  for (const mode of ['standalone', 'swarm'] as const) {
    it(`refuses a taken name with service_exists (${mode})`, async () => {
      const f = await fixture(mode);
      await f.provisioning.create({ ...ECHO, replicas: 1 });
      const calls = f.engine.calls.length;

      const error = await refusal(f.provisioning.create(ECHO));

      assert.equal(error.code, 'service_exists');
      assert.match(error.message, /"echo" already exists/);
      assert.equal(f.engine.calls.length, calls, 'nothing more sent to the engine');
    });
  }

  it('refuses the name of a service Hoist did not create', async () => {
    const f = await fixture('swarm');
    f.engine.addSwarmService({ name: 'echo', imageRef: 'other:1' });
    const error = await refusal(f.provisioning.create(ECHO));
    assert.equal(error.code, 'service_exists');
    assert.deepEqual(f.engine.calls, []);
  });

  it('removes a Swarm service it created', async () => {
    const f = await fixture('swarm');
    const service = await f.provisioning.create(ECHO);
    await f.provisioning.remove(service.id);
    assert.equal(f.engine.swarmServices.size, 0);
    assert.equal(f.engine.trace().at(-1), `swarm-remove ${f.engine.calls.at(-1)?.target}`);
  });

  it('removes every container of a standalone service it created', async () => {
    const f = await fixture('standalone');
    const service = await f.provisioning.create(ECHO);
    f.engine.addContainer({ name: 'other', imageRef: 'other:1', imageId: 'sha256:o' });

    await f.provisioning.remove(service.id);

    assert.deepEqual(
      f.engine.snapshot().map((c) => c.name),
      ['other'],
    );
  });

  it('refuses to remove a Swarm service without the label: service_not_owned, nothing removed', async () => {
    const f = await fixture('swarm');
    const theirs = f.engine.addSwarmService({ name: 'db', imageRef: 'postgres:17' });
    const [listed] = await f.catalog.list();
    assert.ok(listed);

    const error = await refusal(f.provisioning.remove(listed.id));

    assert.equal(error.code, 'service_not_owned');
    assert.match(error.message, /did not create db/);
    assert.match(error.message, /io\.hoist\.service/);
    assert.ok(f.engine.swarmServices.has(theirs.id));
    assert.deepEqual(f.engine.calls, []);
  });

  it('refuses to remove a compose service: service_not_owned, nothing removed', async () => {
    const f = await fixture('standalone');
    f.engine.addContainer({
      name: 'shop-web-1',
      imageRef: 'web:1',
      imageId: 'sha256:w',
      labels: composeLabels('shop', 'web'),
    });
    const [listed] = await f.catalog.list();
    assert.ok(listed);

    const error = await refusal(f.provisioning.remove(listed.id));

    assert.equal(error.code, 'service_not_owned');
    assert.deepEqual(f.engine.calls, []);
    assert.ok(f.engine.byName('shop-web-1'));
  });

  it('refuses to remove a service while one of its actions is In progress', async () => {
    const f = await fixture('standalone');
    const service = await f.provisioning.create({ ...ECHO, replicas: 1 });
    const now = f.clock.now().toISOString();
    const actionId = randomUUID();
    await f.store.insertAction({
      id: actionId,
      serviceId: service.id,
      type: 'redeploy',
      state: 'Pending',
      trigger: { kind: 'api', tokenName: 'admin' },
      options: {},
      imageRef: null,
      digestBefore: null,
      digestAfter: null,
      createdAt: now,
      startedAt: null,
      endedAt: null,
      reason: null,
      attempts: 0,
      progress: null,
    });
    assert.equal((await f.store.claimNextAction(now))?.id, actionId);
    const calls = f.engine.calls.length;

    const error = await refusal(f.provisioning.remove(service.id));

    assert.equal(error.code, 'service_busy');
    assert.match(error.message, new RegExp(actionId));
    assert.equal(f.engine.calls.length, calls, 'nothing removed');
    assert.ok(f.engine.byName('echo-1'));
  });

  it('answers service_not_found for an unknown id', async () => {
    const f = await fixture('swarm');
    const error = await refusal(f.provisioning.remove(randomUUID()));
    assert.equal(error.code, 'service_not_found');
  });

  it('refuses a bad name, image or replica count before talking to the engine', async () => {
    const f = await fixture('standalone');
    for (const input of [
      { ...ECHO, name: '-echo' },
      { ...ECHO, name: 'echo/1' },
      { ...ECHO, image: 'has space:1' },
      { ...ECHO, replicas: 101 },
      { ...ECHO, replicas: 1.5 },
      { ...ECHO, ports: [{ published: 0, target: 80, protocol: 'tcp' as const }] },
      { ...ECHO, volumes: [{ source: 'data', target: 'relative' }] },
    ]) {
      const error = await refusal(f.provisioning.create(input));
      assert.equal(error.code, 'bad_request', JSON.stringify(input));
    }
    assert.deepEqual(f.engine.calls, []);
  });

  it('refuses, on a standalone engine, several copies of a published port and zero containers', async () => {
    const f = await fixture('standalone');
    const ported = await refusal(
      f.provisioning.create({
        ...ECHO,
        replicas: 2,
        ports: [{ published: 8080, target: 80, protocol: 'tcp' }],
      }),
    );
    assert.equal(ported.code, 'bad_request');
    assert.match(ported.message, /same host port/);
    const empty = await refusal(f.provisioning.create({ ...ECHO, replicas: 0 }));
    assert.equal(empty.code, 'bad_request');
    assert.match(empty.message, /at least one container/);
    assert.deepEqual(f.engine.calls, []);
  });
});
