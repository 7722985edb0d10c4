/**
 * The call store's promises: calls that arrive together share one commit,
 * a call that fails leaves nothing behind and does not fail the others, a
 * call never lands inside a transaction the Kysely store has open, and a
 * database that cannot be written answers store_unavailable for every call
 * of the group. Real SQLite files.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { HoistError } from '../../src/domain/errors.js';
import type { CallTx } from '../../src/domain/ports/store.js';
import type { Delivery } from '../../src/domain/webhooks/delivery.js';
import type { Webhook } from '../../src/domain/webhooks/webhook.js';
import { deliveryRecord, webhookRecord } from '../support/records.js';
import { openTracedStores, type TracedStores } from '../support/unit-fixture.js';

interface Fixture extends TracedStores {
  webhook: Webhook;
}

async function fixture(): Promise<Fixture> {
  const stores = await openTracedStores();
  const now = new Date().toISOString();
  const service = await stores.store.upsertService({
    id: randomUUID(),
    engineId: 'local',
    kind: 'container',
    key: 'app',
    name: 'app',
    seenAt: now,
  });
  const webhook = webhookRecord(service.id, { createdAt: now });
  await stores.store.insertWebhook(webhook);
  return { ...stores, webhook };
}

function delivery(f: Fixture, reason: string): Delivery {
  return deliveryRecord(f.webhook.id, f.webhook.serviceId, { reason });
}

/** What a call does: records its delivery and counts the call. */
function recordCall(f: Fixture, reason: string) {
  return async (tx: CallTx) => {
    await tx.insertDelivery(delivery(f, reason));
    await tx.markWebhookCalled(f.webhook.id, new Date().toISOString());
    return reason;
  };
}

async function reasons(f: Fixture): Promise<string[]> {
  const rows = await f.store.listDeliveries(f.webhook.id, 100);
  return rows.map((d) => d.reason ?? '').sort();
}

describe('SqliteCallStore', () => {
  it('commits calls that arrive together once, and answers each with its own result', async () => {
    const f = await fixture();
    f.statements.length = 0;
    const answers = await Promise.all(
      ['a', 'b', 'c', 'd'].map((r) => f.calls.transaction(recordCall(f, r))),
    );
    assert.deepEqual(answers, ['a', 'b', 'c', 'd']);
    assert.deepEqual(await reasons(f), ['a', 'b', 'c', 'd']);
    assert.equal(f.statements.filter((s) => s === 'begin immediate').length, 1);
    assert.equal(f.statements.filter((s) => s === 'commit').length, 1);
    assert.equal((await f.store.getWebhook(f.webhook.id))?.callCount, 4);
  });

  it('rolls back only the call that failed; the others of its group land', async () => {
    const f = await fixture();
    const failing = async (tx: CallTx) => {
      await tx.insertDelivery(delivery(f, 'half-done'));
      throw new Error('the call failed after its first write');
    };
    const results = await Promise.allSettled([
      f.calls.transaction(recordCall(f, 'before')),
      f.calls.transaction(failing),
      f.calls.transaction(recordCall(f, 'after')),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((results[1] as PromiseRejectedResult).reason), /after its first write/);
    assert.deepEqual(await reasons(f), ['after', 'before']);
    assert.equal((await f.store.getWebhook(f.webhook.id))?.callCount, 2);
  });

  it('waits for a transaction of the Kysely store and never lands inside it', async () => {
    const f = await fixture();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let kyselyInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (kyselyInserted = resolve));
    const kysely = f.store
      .transaction(async (tx) => {
        await tx.insertDelivery(delivery(f, 'kysely, rolled back'));
        kyselyInserted();
        await held;
        throw new Error('roll the Kysely transaction back');
      })
      .catch((error: unknown) => error);
    await inserted;
    let callDone = false;
    const call = f.calls.transaction(recordCall(f, 'call')).then((r) => {
      callDone = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(callDone, false, 'the call must wait while the Kysely transaction is open');
    release();
    assert.match(String(await kysely), /roll the Kysely transaction back/);
    assert.equal(await call, 'call');
    assert.deepEqual(await reasons(f), ['call']);
  });

  it('answers store_unavailable to every call of a group when the database is full', async () => {
    const f = await fixture();
    // SQLite's own "database or disk is full": the file may not grow by a single page.
    const pages = Number(f.sqlite.pragma('page_count', { simple: true }));
    f.sqlite.pragma(`max_page_count = ${pages}`);
    const many = Array.from({ length: 200 }, (_, i) => `full ${i}`);
    const results = await Promise.allSettled(
      many.map((r) =>
        f.calls.transaction(async (tx) => {
          // A body big enough that the deliveries table must grow.
          await tx.insertDelivery({ ...delivery(f, r), userAgent: 'x'.repeat(2000) });
          return r;
        }),
      ),
    );
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.ok(rejected.length > 0, 'a full database must refuse some call');
    for (const r of rejected) {
      assert.ok(r.reason instanceof HoistError, String(r.reason));
      assert.equal(r.reason.code, 'store_unavailable');
      assert.match(r.reason.message, /SQLITE_FULL/);
      assert.match(r.reason.message, /Retry later/);
    }
    const landed = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal((await reasons(f)).length, landed, 'every answered call is recorded, no other');

    // Room again: the next call lands.
    f.sqlite.pragma('max_page_count = 1073741823');
    assert.equal(
      await f.calls.transaction(recordCall(f, 'after the disk was freed')),
      'after the disk was freed',
    );
    assert.ok((await reasons(f)).includes('after the disk was freed'));
  });
});
