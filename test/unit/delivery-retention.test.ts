/**
 * Delivery retention: prune() deletes the handler calls (deliveries) and the
 * registry calls received more than retentionDays before the clock's now,
 * keeps the rest, and reports how many it deleted. Real SQLite store
 * (Store.pruneDeliveries), fake clock.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Logger } from '../../src/domain/logger.js';
import type { Store } from '../../src/domain/ports/store.js';
import type { Registry, RegistryCall } from '../../src/domain/registries/registry.js';
import { DeliveryRetention } from '../../src/domain/webhooks/delivery-retention.js';
import type { Webhook } from '../../src/domain/webhooks/webhook.js';
import { FakeClock } from '../support/fake-engine.js';
import { deliveryRecord, webhookRecord } from '../support/records.js';
import { addService, openStore } from '../support/unit-fixture.js';

const DAY = 24 * 60 * 60 * 1000;
const RETENTION_DAYS = 7;

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

interface Fixture {
  store: Store;
  clock: FakeClock;
  retention: DeliveryRetention;
  webhook: Webhook;
  registry: Registry;
  /** An ISO time `ms` before the clock's now. */
  ago(ms: number): string;
}

async function fixture(): Promise<Fixture> {
  const store = await openStore();
  const clock = new FakeClock();
  const service = await addService(store, clock);
  const webhook = webhookRecord(service.id, { createdAt: clock.now().toISOString() });
  await store.insertWebhook(webhook);
  const registry: Registry = {
    id: randomUUID(),
    name: 'local registry',
    tokenPrefix: 'reg12345',
    createdAt: clock.now().toISOString(),
    revokedAt: null,
  };
  await store.insertRegistry({ ...registry, tokenHash: randomUUID() });
  // Time passes: the records below are placed relative to this now.
  clock.advance(30 * DAY);
  const retention = new DeliveryRetention({
    store,
    clock,
    logger: silent,
    retentionDays: RETENTION_DAYS,
  });
  const ago = (ms: number) => new Date(clock.now().getTime() - ms).toISOString();
  return { store, clock, retention, webhook, registry, ago };
}

function registryCall(registryId: string, receivedAt: string): RegistryCall {
  return {
    id: randomUUID(),
    registryId,
    receivedAt,
    remoteAddress: '192.0.2.9',
    deliveryKey: null,
    pushed: [],
    outcome: 'ignored',
    reason: 'no service runs it',
    actionIds: [],
  };
}

async function deliveryIds(f: Fixture): Promise<string[]> {
  return (await f.store.listDeliveries(f.webhook.id, 100)).map((d) => d.id);
}

async function registryCallIds(f: Fixture): Promise<string[]> {
  return (await f.store.listRegistryCalls(f.registry.id, 100)).map((c) => c.id);
}

describe('DeliveryRetention.prune', () => {
  it('deletes the deliveries and registry calls older than the retention period, keeps the newer ones', async () => {
    const f = await fixture();
    const oldDelivery = deliveryRecord(f.webhook.id, f.webhook.serviceId, {
      receivedAt: f.ago(RETENTION_DAYS * DAY + 60_000),
    });
    const newDelivery = deliveryRecord(f.webhook.id, f.webhook.serviceId, {
      receivedAt: f.ago(DAY),
    });
    const oldCall = registryCall(f.registry.id, f.ago(10 * DAY));
    const newCall = registryCall(f.registry.id, f.ago(60_000));
    for (const d of [oldDelivery, newDelivery]) await f.store.insertDelivery(d);
    for (const c of [oldCall, newCall]) await f.store.insertRegistryCall(c);
    assert.deepEqual(await deliveryIds(f), [newDelivery.id, oldDelivery.id]);
    assert.deepEqual(await registryCallIds(f), [newCall.id, oldCall.id]);

    assert.equal(await f.retention.prune(), 2, 'one delivery and one registry call');

    assert.deepEqual(await f.store.listDeliveries(f.webhook.id, 100), [newDelivery]);
    assert.deepEqual(await f.store.listRegistryCalls(f.registry.id, 100), [newCall]);
    // The handler and the registry endpoint themselves stay.
    assert.equal((await f.store.getWebhook(f.webhook.id))?.id, f.webhook.id);
    assert.equal((await f.store.getRegistry(f.registry.id))?.id, f.registry.id);

    assert.equal(await f.retention.prune(), 0, 'nothing left to prune');
    assert.deepEqual(await deliveryIds(f), [newDelivery.id]);
    assert.deepEqual(await registryCallIds(f), [newCall.id]);
  });

  it('counts from the clock: what was new becomes old as time passes', async () => {
    const f = await fixture();
    const delivery = deliveryRecord(f.webhook.id, f.webhook.serviceId, { receivedAt: f.ago(0) });
    const call = registryCall(f.registry.id, f.ago(0));
    await f.store.insertDelivery(delivery);
    await f.store.insertRegistryCall(call);

    // Exactly the retention period old: not yet before the cut-off.
    f.clock.advance(RETENTION_DAYS * DAY);
    assert.equal(await f.retention.prune(), 0);
    assert.deepEqual(await deliveryIds(f), [delivery.id]);
    assert.deepEqual(await registryCallIds(f), [call.id]);

    f.clock.advance(1);
    assert.equal(await f.retention.prune(), 2);
    assert.deepEqual(await deliveryIds(f), []);
    assert.deepEqual(await registryCallIds(f), []);
  });
});

describe('Store.pruneDeliveries', () => {
  it('deletes rows received strictly before the cut-off, in both tables, and counts them', async () => {
    const f = await fixture();
    const cutOff = f.ago(DAY);
    const before = deliveryRecord(f.webhook.id, f.webhook.serviceId, {
      receivedAt: f.ago(2 * DAY),
    });
    const at = deliveryRecord(f.webhook.id, f.webhook.serviceId, { receivedAt: cutOff });
    const beforeCalls = [
      registryCall(f.registry.id, f.ago(3 * DAY)),
      registryCall(f.registry.id, f.ago(DAY + 1)),
    ];
    const atCall = registryCall(f.registry.id, cutOff);
    for (const d of [before, at]) await f.store.insertDelivery(d);
    for (const c of [...beforeCalls, atCall]) await f.store.insertRegistryCall(c);

    assert.equal(await f.store.pruneDeliveries(cutOff), 3, 'one delivery and two registry calls');

    assert.deepEqual(await deliveryIds(f), [at.id]);
    assert.deepEqual(await registryCallIds(f), [atCall.id]);
  });
});
