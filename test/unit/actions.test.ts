/**
 * Requests through the API: a scale sets a count, queues (never coalesces)
 * and wakes the worker. Real SQLite store, no engine call.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { Actions } from '../../src/domain/actions/actions.js';
import { HoistError } from '../../src/domain/errors.js';
import { ServiceCatalog } from '../../src/domain/services/service-catalog.js';
import { FakeClock, FakeEngine } from '../support/fake-engine.js';
import { addService, hoistItself, openStore } from '../support/unit-fixture.js';

async function fixture() {
  const store = await openStore();
  const clock = new FakeClock();
  const engine = new FakeEngine();
  const itself = hoistItself(store, clock, engine);
  const catalog = new ServiceCatalog({ store, engine, engineId: 'local', clock, itself });
  const f = {
    store,
    engine,
    wakeUps: 0,
    actions: null as unknown as Actions,
    service: await addService(store, clock, { kind: 'swarm', key: 'svc-api', name: 'shop_api' }),
  };
  f.actions = new Actions({ store, catalog, clock, itself, onEnqueued: () => f.wakeUps++ });
  return f;
}

describe('Actions.requestScale', () => {
  it('queues a Pending scale to the count for each request, none coalesced', async () => {
    const f = await fixture();
    const first = await f.actions.requestScale(
      f.service.id,
      { username: 'admin', tokenName: 'admin' },
      4,
    );
    const second = await f.actions.requestScale(
      f.service.id,
      { username: 'admin', tokenName: 'admin' },
      2,
    );

    assert.equal(first.coalesced, false);
    assert.equal(second.coalesced, false);
    assert.notEqual(first.action.id, second.action.id);
    const queued = await f.store.listActions({ serviceId: f.service.id });
    assert.equal(queued.length, 2);
    for (const action of queued) {
      assert.equal(action.type, 'scale');
      assert.equal(action.state, 'Pending');
      assert.deepEqual(action.trigger, { kind: 'api', username: 'admin', tokenName: 'admin' });
    }
    assert.deepEqual((await f.store.getAction(first.action.id))?.options, { replicas: 4 });
    assert.equal(f.wakeUps, 2);
    assert.deepEqual(f.engine.calls, []);
  });

  for (const replicas of [-1, 101, 1.5, Number.NaN]) {
    it(`refuses ${replicas} replicas with bad_request, queueing nothing`, async () => {
      const f = await fixture();
      await assert.rejects(
        f.actions.requestScale(f.service.id, { username: 'admin', tokenName: 'admin' }, replicas),
        (error: unknown) => error instanceof HoistError && error.code === 'bad_request',
      );
      assert.deepEqual(await f.store.listActions({ serviceId: f.service.id }), []);
      assert.equal(f.wakeUps, 0);
    });
  }

  it('answers service_not_found for an unknown service', async () => {
    const f = await fixture();
    await assert.rejects(
      f.actions.requestScale(randomUUID(), { username: 'admin', tokenName: 'admin' }, 2),
      (error: unknown) => error instanceof HoistError && error.code === 'service_not_found',
    );
  });
});
