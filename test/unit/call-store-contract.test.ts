/**
 * The CallStore contract, run alike against both implementations the call
 * path may be given: SqliteCallStore (prepared statements, one commit for a
 * group of calls) and the Kysely store (one transaction per call). Both read
 * and write the same tables, so each case seeds through the Kysely store and
 * checks what the call store's `tx` sees and leaves behind. Real SQLite files.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SqliteStores } from '../../src/adapters/store/open-store.js';
import type { Action } from '../../src/domain/actions/action.js';
import type { CallStore, CallTx, Store } from '../../src/domain/ports/store.js';
import type { Registry, RegistryCall } from '../../src/domain/registries/registry.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import type { WebhookWithHash } from '../../src/domain/webhooks/webhook.js';
import { actionRecord, callHandlerOf, deliveryRecord, webhookRecord } from '../support/records.js';
import { openStores } from '../support/unit-fixture.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'hoist-call-contract-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

const IMPLEMENTATIONS: { name: string; of: (stores: SqliteStores) => CallStore }[] = [
  { name: 'SqliteCallStore (group commit)', of: (stores) => stores.calls },
  { name: 'KyselyStore (one transaction a call)', of: (stores) => stores.store },
];

/** An ISO time `n` seconds after a fixed origin. */
function at(n: number): string {
  return new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString();
}

interface Fixture {
  store: Store;
  calls: CallStore;
  service: ServiceRecord;
  webhook: WebhookWithHash;
  registry: Registry & { tokenHash: string };
}

async function fixture(of: (stores: SqliteStores) => CallStore): Promise<Fixture> {
  const stores = await openStores(join(root, `${randomUUID()}.db`));
  const { store } = stores;
  const service = await store.upsertService({
    id: randomUUID(),
    engineId: 'local',
    kind: 'container',
    key: 'web',
    name: 'web',
    seenAt: at(0),
    imageRef: 'registry.example.com/web:latest',
    digest: 'sha256:' + 'a'.repeat(64),
  });
  const webhook = webhookRecord(service.id, {
    createdAt: at(1),
    signed: true,
    signatureScheme: 'standard-webhooks',
    signingSecret: 'whsec_contract',
    tokenHash: 'hook-hash',
  });
  await store.insertWebhook(webhook);
  const registry = {
    id: randomUUID(),
    name: 'ci registry',
    tokenPrefix: 'reg123',
    tokenHash: 'registry-hash',
    createdAt: at(1),
    revokedAt: null,
  };
  await store.insertRegistry(registry);
  return { store, calls: of(stores), service, webhook, registry };
}

function pendingRedeploy(serviceId: string): Action {
  return actionRecord(serviceId, { createdAt: at(10) });
}

function registryCall(registryId: string, overrides: Partial<RegistryCall> = {}): RegistryCall {
  return {
    id: randomUUID(),
    registryId,
    receivedAt: at(20),
    remoteAddress: '192.0.2.1',
    deliveryKey: 'registry-event:1',
    pushed: ['registry.example.com/web:latest'],
    outcome: 'accepted',
    reason: null,
    actionIds: [],
    ...overrides,
  };
}

for (const implementation of IMPLEMENTATIONS) {
  describe(`CallStore contract: ${implementation.name}`, () => {
    const run = <T>(f: Fixture, fn: (tx: CallTx) => Promise<T>) => f.calls.transaction(fn);

    it('finds an active handler by its token hash, with its signing secret; not a revoked or unknown one', async () => {
      const f = await fixture(implementation.of);
      const { tokenHash } = f.webhook;
      assert.deepEqual(
        await run(f, (tx) => tx.findActiveWebhookByTokenHash(tokenHash)),
        callHandlerOf(f.webhook),
      );
      assert.equal(await run(f, (tx) => tx.findActiveWebhookByTokenHash('unknown-hash')), null);
      await f.store.revokeWebhook(f.webhook.id, at(5));
      assert.equal(await run(f, (tx) => tx.findActiveWebhookByTokenHash(tokenHash)), null);
    });

    it('finds an active registry endpoint by its token hash; not a revoked or unknown one', async () => {
      const f = await fixture(implementation.of);
      const { tokenHash, ...expected } = f.registry;
      assert.deepEqual(await run(f, (tx) => tx.findActiveRegistryByTokenHash(tokenHash)), expected);
      assert.equal(await run(f, (tx) => tx.findActiveRegistryByTokenHash('unknown-hash')), null);
      await f.store.revokeRegistry(f.registry.id, at(5));
      assert.equal(await run(f, (tx) => tx.findActiveRegistryByTokenHash(tokenHash)), null);
    });

    it('inserts a delivery and finds it by its key, for its handler only', async () => {
      const f = await fixture(implementation.of);
      const delivery = deliveryRecord(f.webhook.id, f.service.id, {
        receivedAt: at(20),
        deliveryKey: 'webhook-id:1',
        pushed: 'registry.example.com/web:latest',
        callbackUrl: 'https://registry.hub.docker.com/u/x/y/hook/z/',
      });
      await run(f, (tx) => tx.insertDelivery(delivery));
      assert.deepEqual(
        await run(f, (tx) => tx.findDeliveryByKey(f.webhook.id, 'webhook-id:1')),
        delivery,
      );
      assert.equal(await run(f, (tx) => tx.findDeliveryByKey(f.webhook.id, 'webhook-id:2')), null);
      assert.equal(await run(f, (tx) => tx.findDeliveryByKey(randomUUID(), 'webhook-id:1')), null);
      assert.deepEqual(await f.store.listDeliveries(f.webhook.id, 10), [delivery]);
    });

    it('inserts a registry call and finds it by its key, for its endpoint only', async () => {
      const f = await fixture(implementation.of);
      const call = registryCall(f.registry.id, { actionIds: [randomUUID()] });
      await run(f, (tx) => tx.insertRegistryCall(call));
      assert.deepEqual(
        await run(f, (tx) => tx.findRegistryCallByKey(f.registry.id, 'registry-event:1')),
        call,
      );
      assert.equal(
        await run(f, (tx) => tx.findRegistryCallByKey(f.registry.id, 'registry-event:2')),
        null,
      );
      assert.equal(
        await run(f, (tx) => tx.findRegistryCallByKey(randomUUID(), 'registry-event:1')),
        null,
      );
      assert.deepEqual(await f.store.listRegistryCalls(f.registry.id, 10), [call]);
    });

    it('finds, inserts and updates the pending action, and logs to it', async () => {
      const f = await fixture(implementation.of);
      assert.equal(await run(f, (tx) => tx.findPendingAction(f.service.id, 'redeploy')), null);
      const action = pendingRedeploy(f.service.id);
      await run(f, async (tx) => {
        await tx.insertAction(action);
        await tx.appendActionLog(action.id, at(11), 'queued');
        await tx.appendActionLog(action.id, at(12), 'joined');
      });
      assert.deepEqual(
        await run(f, (tx) => tx.findPendingAction(f.service.id, 'redeploy')),
        action,
      );
      assert.equal(await run(f, (tx) => tx.findPendingAction(f.service.id, 'scale')), null);
      assert.deepEqual(await run(f, (tx) => tx.getAction(action.id)), action);

      const options = { reuseVolumes: true, expectedDigest: 'sha256:' + 'b'.repeat(64) };
      await run(f, (tx) => tx.updateAction(action.id, { options }));
      assert.deepEqual(await run(f, (tx) => tx.findPendingAction(f.service.id, 'redeploy')), {
        ...action,
        options,
      });
      await run(f, (tx) => tx.updateAction(action.id, { state: 'In progress', startedAt: at(13) }));
      assert.equal(await run(f, (tx) => tx.findPendingAction(f.service.id, 'redeploy')), null);
      assert.deepEqual(await f.store.getActionLog(action.id), [
        { seq: 1, at: at(11), message: 'queued' },
        { seq: 2, at: at(12), message: 'joined' },
      ]);
      assert.equal(await run(f, (tx) => tx.getAction(randomUUID())), null);
    });

    it('counts calls on the handler (markWebhookCalled)', async () => {
      const f = await fixture(implementation.of);
      await run(f, (tx) => tx.markWebhookCalled(f.webhook.id, at(30)));
      await run(f, (tx) => tx.markWebhookCalled(f.webhook.id, at(31)));
      const found = await f.store.getWebhook(f.webhook.id);
      assert.equal(found?.callCount, 2);
      assert.equal(found?.lastCalledAt, at(31));
    });

    it('reads a service, and the autoredeploy services of one engine by name', async () => {
      const f = await fixture(implementation.of);
      assert.deepEqual(await run(f, (tx) => tx.getService(f.service.id)), f.service);
      assert.equal(await run(f, (tx) => tx.getService(randomUUID())), null);
      const add = (name: string, engineId = 'local') =>
        f.store.upsertService({
          id: randomUUID(),
          engineId,
          kind: 'container',
          key: name,
          name,
          seenAt: at(0),
          imageRef: `registry.example.com/${name}:latest`,
          digest: null,
        });
      const zeta = await add('zeta');
      const alpha = await add('alpha');
      const remote = await add('remote', 'elsewhere');
      for (const s of [zeta, alpha, remote]) {
        await f.store.updateServiceSettings(s.id, { autoredeploy: true });
      }
      const listed = await run(f, (tx) => tx.listAutoredeployServices('local'));
      assert.deepEqual(
        listed.map((s) => s.name),
        ['alpha', 'zeta'],
      );
      assert.ok(listed.every((s) => s.autoredeploy));
    });

    it('rolls back a call that fails; the calls taken with it land', async () => {
      const f = await fixture(implementation.of);
      const recordCall = (reason: string) => async (tx: CallTx) => {
        await tx.insertDelivery(deliveryRecord(f.webhook.id, f.service.id, { reason }));
        await tx.markWebhookCalled(f.webhook.id, at(40));
        return reason;
      };
      const results = await Promise.allSettled([
        run(f, recordCall('before')),
        run(f, async (tx) => {
          await tx.insertDelivery(deliveryRecord(f.webhook.id, f.service.id, { reason: 'half' }));
          await tx.insertRegistryCall(registryCall(f.registry.id));
          throw new Error('the call failed after its first writes');
        }),
        run(f, recordCall('after')),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      assert.match(String((results[1] as PromiseRejectedResult).reason), /after its first writes/);
      const reasons = (await f.store.listDeliveries(f.webhook.id, 10)).map((d) => d.reason);
      assert.deepEqual(reasons.sort(), ['after', 'before']);
      assert.deepEqual(await f.store.listRegistryCalls(f.registry.id, 10), []);
      assert.equal((await f.store.getWebhook(f.webhook.id))?.callCount, 2);
    });
  });
}
