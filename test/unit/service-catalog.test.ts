/**
 * Listing services: stable ids from the store, and a listing that writes a
 * record only when a service is new or the engine shows it changed (the web
 * UI polls the listing). Real SQLite store, fake engine.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceCatalog } from '../../src/domain/services/service-catalog.js';
import { FakeClock, FakeEngine, composeLabels } from '../support/fake-engine.js';
import { openStore } from '../support/unit-fixture.js';

const DIGEST_V1 = `sha256:${'1'.repeat(64)}`;
const DIGEST_V2 = `sha256:${'2'.repeat(64)}`;

async function fixture() {
  const store = await openStore();
  const clock = new FakeClock();
  const engine = new FakeEngine();
  const catalog = new ServiceCatalog({ store, engine, engineId: 'local', clock });
  const web = engine.addContainer({
    name: 'shop-web-1',
    imageRef: 'registry.example.com/shop/web:latest',
    imageId: 'sha256:image-v1',
    digest: DIGEST_V1,
    labels: composeLabels('shop', 'web'),
  });
  return { store, clock, engine, catalog, web };
}

describe('ServiceCatalog.list', () => {
  it('records a new service once, and leaves its record alone while nothing changes', async () => {
    const f = await fixture();
    const [first] = await f.catalog.list();
    assert.ok(first);
    const written = await f.store.getService(first.id);
    assert.equal(written?.lastSeenAt, f.clock.now().toISOString());

    f.clock.advance(60_000);
    const [again] = await f.catalog.list();
    assert.equal(again?.id, first.id, 'the same id on every listing');
    assert.deepEqual(await f.store.getService(first.id), written, 'no write when nothing changed');
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
