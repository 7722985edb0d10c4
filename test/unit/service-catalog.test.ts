/**
 * Listing and looking up services: stable ids from the store, and reads that
 * write a record only when a service is new or the engine shows it changed
 * (the web UI polls the listing; GET /services/:id must not fail on a full
 * disk for a write it did not need). Real SQLite store, fake engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../../src/domain/ports/store.js';
import { ServiceCatalog } from '../../src/domain/services/service-catalog.js';
import { FakeClock, FakeEngine, composeLabels } from '../support/fake-engine.js';
import { hoistItself, openStore } from '../support/unit-fixture.js';

const DIGEST_V1 = `sha256:${'1'.repeat(64)}`;
const DIGEST_V2 = `sha256:${'2'.repeat(64)}`;

/** The Store methods that write a service record. */
const SERVICE_WRITES = new Set(['upsertService', 'updateServiceImage', 'updateServiceSettings']);

/** The store, with the name of every service write made through it pushed onto `writes`. */
function countingWrites(store: Store, writes: string[]): Store {
  return new Proxy(store, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        if (typeof name === 'string' && SERVICE_WRITES.has(name)) writes.push(name);
        return Reflect.apply(value, target, args);
      };
    },
  });
}

async function fixture() {
  const store = await openStore();
  const clock = new FakeClock();
  const engine = new FakeEngine();
  const writes: string[] = [];
  const catalog = new ServiceCatalog({
    store: countingWrites(store, writes),
    engine,
    engineId: 'local',
    clock,
    itself: hoistItself(store, clock, engine),
  });
  const web = engine.addContainer({
    name: 'shop-web-1',
    imageRef: 'registry.example.com/shop/web:latest',
    imageId: 'sha256:image-v1',
    digest: DIGEST_V1,
    labels: composeLabels('shop', 'web'),
  });
  return { store, clock, engine, catalog, web, writes };
}

describe('ServiceCatalog.list', () => {
  it('records a new service once, and leaves its record alone while nothing changes', async () => {
    const f = await fixture();
    const [first] = await f.catalog.list();
    assert.ok(first);
    const written = await f.store.getService(first.id);
    assert.equal(written?.lastSeenAt, f.clock.now().toISOString());

    assert.equal(f.writes.length, 1, 'one write');

    f.clock.advance(60_000);
    const [again] = await f.catalog.list();
    assert.equal(again?.id, first.id, 'the same id on every listing');
    assert.deepEqual(await f.store.getService(first.id), written, 'no write when nothing changed');
    assert.equal(f.writes.length, 1, 'no store write at all');
  });

  it('writes the record again when the engine shows another digest', async () => {
    const f = await fixture();
    const [first] = await f.catalog.list();
    assert.ok(first);
    f.clock.advance(60_000);
    f.web.digest = DIGEST_V2;

    const [changed] = await f.catalog.list();
    assert.equal(changed?.id, first.id);
    const record = await f.store.getService(first.id);
    assert.equal(record?.digest, DIGEST_V2, 'calls are matched against the digest it runs now');
    assert.equal(record?.lastSeenAt, f.clock.now().toISOString());
  });
});

describe('ServiceCatalog.get', () => {
  it('looks a service up without writing while nothing changed', async () => {
    const f = await fixture();
    const [listed] = await f.catalog.list();
    assert.ok(listed);
    const written = await f.store.getService(listed.id);
    f.writes.length = 0;
    f.clock.advance(60_000);

    const service = await f.catalog.get(listed.id);
    assert.deepEqual(service, listed);
    await f.catalog.get(listed.id);
    assert.deepEqual(f.writes, [], 'GET /services/:id does not write');
    assert.deepEqual(await f.store.getService(listed.id), written);
  });

  it('writes the record again when the engine shows another digest', async () => {
    const f = await fixture();
    const [listed] = await f.catalog.list();
    assert.ok(listed);
    f.writes.length = 0;
    f.clock.advance(60_000);
    f.web.digest = DIGEST_V2;

    const service = await f.catalog.get(listed.id);
    assert.equal(service.digest, DIGEST_V2);
    assert.equal(f.writes.length, 1, 'one write');
    const record = await f.store.getService(listed.id);
    assert.equal(record?.digest, DIGEST_V2, 'calls are matched against the digest it runs now');
    assert.equal(record?.lastSeenAt, f.clock.now().toISOString());

    await f.catalog.get(listed.id);
    assert.equal(f.writes.length, 1, 'and then no more');
  });

  it('records the image of a record stored without one (a service Hoist just created)', async () => {
    const f = await fixture();
    const created = await f.store.upsertService({
      id: 'svc-new',
      engineId: 'local',
      kind: 'compose',
      key: 'shop/web',
      name: 'shop-web-1',
      seenAt: f.clock.now().toISOString(),
    });
    assert.equal(created.imageRef, null);

    await f.catalog.get(created.id);
    const record = await f.store.getService(created.id);
    assert.equal(record?.imageRef, 'registry.example.com/shop/web:latest');
    assert.equal(record?.digest, DIGEST_V1);
    assert.equal(f.writes.length, 1, 'one write');
  });

  it('switching autoredeploy writes only the switch', async () => {
    const f = await fixture();
    const [listed] = await f.catalog.list();
    assert.ok(listed);
    f.writes.length = 0;

    const service = await f.catalog.update(listed.id, { autoredeploy: true });
    assert.equal(service.autoredeploy, true);
    assert.deepEqual(f.writes, ['updateServiceSettings']);
    assert.equal((await f.store.getService(listed.id))?.autoredeploy, true);
  });

  it('switching both settings writes them in one update', async () => {
    const f = await fixture();
    const [listed] = await f.catalog.list();
    assert.ok(listed);
    f.writes.length = 0;

    await f.catalog.update(listed.id, { autoredeploy: true, allowSelfRedeploy: true });
    assert.deepEqual(f.writes, ['updateServiceSettings']);
    const record = await f.store.getService(listed.id);
    assert.equal(record?.autoredeploy, true);
    assert.equal(record?.allowSelfRedeploy, true);
  });

  it('shows a service the engine no longer has without writing', async () => {
    const f = await fixture();
    const [listed] = await f.catalog.list();
    assert.ok(listed);
    const written = await f.store.getService(listed.id);
    f.writes.length = 0;
    await f.engine.removeContainer(f.web.id, { volumes: false });

    const service = await f.catalog.get(listed.id);
    assert.equal(service.present, false);
    assert.deepEqual(f.writes, []);
    assert.deepEqual(await f.store.getService(listed.id), written);
  });
});
