/**
 * A handler's call counter lives in an append-only log folded into its row
 * (src/adapters/store/webhook-calls.ts, migration 0006): callCount and
 * lastCalledAt must read the same through both call paths (the group-commit
 * SqliteCallStore and Kysely transactions), before and after a fold, after
 * deliveries are pruned, and across the migration. Real SQLite files.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { storesOn } from '../../src/adapters/store/open-store.js';
import { FOLD_AT } from '../../src/adapters/store/webhook-calls.js';
import type { CallTx } from '../../src/domain/ports/store.js';
import type { Webhook } from '../../src/domain/webhooks/webhook.js';
import { at, deliveryRecord, webhookRecord } from '../support/records.js';
import { migratorOn, openTracedStores, type TracedStores } from '../support/unit-fixture.js';

interface Fixture extends TracedStores {
  webhook: Webhook;
  other: Webhook;
}

async function fixture(): Promise<Fixture> {
  const stores = await openTracedStores();
  const service = await stores.store.upsertService({
    id: randomUUID(),
    engineId: 'local',
    kind: 'container',
    key: 'app',
    name: 'app',
    seenAt: at(0),
  });
  const webhook = webhookRecord(service.id, { name: 'ci', createdAt: at(0) });
  const other = webhookRecord(service.id, { name: 'other', createdAt: at(0) });
  await stores.store.insertWebhook(webhook);
  await stores.store.insertWebhook(other);
  return { ...stores, webhook, other };
}

/** What a call does: records its delivery and counts the call. */
function recordCall(f: Fixture, webhook: Webhook, receivedAt: string) {
  return async (tx: CallTx) => {
    await tx.insertDelivery(deliveryRecord(webhook.id, webhook.serviceId, { receivedAt }));
    await tx.markWebhookCalled(webhook.id, receivedAt);
  };
}

async function counts(f: Fixture, webhook: Webhook) {
  const one = await f.store.getWebhook(webhook.id);
  const listed = (await f.store.listWebhooks(webhook.serviceId)).find((w) => w.id === webhook.id);
  const byName = await f.store.findActiveWebhookByName(webhook.serviceId, webhook.name);
  // Every read the API shows a handler through answers the same.
  assert.deepEqual(listed, one);
  assert.deepEqual(byName, one);
  return { callCount: one?.callCount, lastCalledAt: one?.lastCalledAt };
}

/** Fills the log up to one call short of a fold with calls of `webhook`, as they would land. */
function fillLog(f: Fixture, webhook: Webhook, calledAt: string): void {
  const insert = f.sqlite.prepare('insert into webhook_calls (webhook_id, at) values (?, ?)');
  f.sqlite.transaction(() => {
    for (let i = logLength(f); i < FOLD_AT - 1; i++) insert.run(webhook.id, calledAt);
  })();
}

function logLength(f: Fixture): number {
  return (f.sqlite.prepare('select count(*) as n from webhook_calls').get() as { n: number }).n;
}

describe('webhook call counts', () => {
  it('count calls taken on the group-commit path, each handler its own', async () => {
    const f = await fixture();
    await Promise.all([
      f.calls.transaction(recordCall(f, f.webhook, at(3))),
      f.calls.transaction(recordCall(f, f.webhook, at(5))),
      f.calls.transaction(recordCall(f, f.other, at(4))),
    ]);
    await f.calls.transaction(recordCall(f, f.webhook, at(4)));
    // The latest call, not the last one recorded.
    assert.deepEqual(await counts(f, f.webhook), { callCount: 3, lastCalledAt: at(5) });
    assert.deepEqual(await counts(f, f.other), { callCount: 1, lastCalledAt: at(4) });
  });

  it('count calls taken in Kysely transactions and outside any', async () => {
    const f = await fixture();
    await f.store.transaction(async (tx) => {
      await tx.insertDelivery(deliveryRecord(f.webhook.id, f.webhook.serviceId));
      await tx.markWebhookCalled(f.webhook.id, at(7));
    });
    await f.store.markWebhookCalled(f.webhook.id, at(8));
    await f.calls.transaction(recordCall(f, f.webhook, at(6)));
    assert.deepEqual(await counts(f, f.webhook), { callCount: 3, lastCalledAt: at(8) });
    assert.deepEqual(await counts(f, f.other), { callCount: 0, lastCalledAt: null });
  });

  it('a call writes no handler row: only the delivery and a log row', async () => {
    const f = await fixture();
    f.statements.length = 0;
    await f.calls.transaction(recordCall(f, f.webhook, at(1)));
    assert.equal(f.statements.filter((s) => /^update webhooks/i.test(s)).length, 0);
    assert.equal(logLength(f), 1);
    const row = f.sqlite
      .prepare('select call_count, last_called_at from webhooks where id = ?')
      .get(f.webhook.id);
    assert.deepEqual(row, { call_count: 0, last_called_at: null });
  });

  it('fold the log into the handlers on the group-commit path, and read the same after', async () => {
    const f = await fixture();
    await f.calls.transaction(recordCall(f, f.other, at(2)));
    fillLog(f, f.webhook, at(9));
    assert.equal(logLength(f), FOLD_AT - 1);
    assert.deepEqual(await counts(f, f.webhook), { callCount: FOLD_AT - 2, lastCalledAt: at(9) });

    await f.calls.transaction(recordCall(f, f.webhook, at(10)));
    assert.equal(logLength(f), 0);
    const row = f.sqlite
      .prepare('select call_count, last_called_at from webhooks where id = ?')
      .get(f.webhook.id);
    assert.deepEqual(row, { call_count: FOLD_AT - 1, last_called_at: at(10) });
    assert.deepEqual(await counts(f, f.webhook), { callCount: FOLD_AT - 1, lastCalledAt: at(10) });
    assert.deepEqual(await counts(f, f.other), { callCount: 1, lastCalledAt: at(2) });

    // Calls after the fold add to it; an older time does not move lastCalledAt back.
    await f.calls.transaction(recordCall(f, f.webhook, at(8)));
    assert.deepEqual(await counts(f, f.webhook), { callCount: FOLD_AT, lastCalledAt: at(10) });
  });

  it('fold the log on the Kysely path too', async () => {
    const f = await fixture();
    fillLog(f, f.webhook, at(9));
    await f.store.transaction((tx) => tx.markWebhookCalled(f.webhook.id, at(11)));
    assert.equal(logLength(f), 0);
    assert.deepEqual(await counts(f, f.webhook), { callCount: FOLD_AT, lastCalledAt: at(11) });
  });

  it('keep their counts when the deliveries are pruned', async () => {
    const f = await fixture();
    await f.calls.transaction(recordCall(f, f.webhook, at(1)));
    await f.calls.transaction(recordCall(f, f.webhook, at(2)));
    fillLog(f, f.other, at(1));
    await f.calls.transaction(recordCall(f, f.other, at(2)));
    await f.calls.transaction(recordCall(f, f.webhook, at(30)));

    assert.equal(await f.store.pruneDeliveries(at(20)), 3);
    assert.deepEqual(await f.store.listDeliveries(f.webhook.id, 10).then((d) => d.length), 1);
    assert.deepEqual(await counts(f, f.webhook), { callCount: 3, lastCalledAt: at(30) });
    assert.deepEqual(await counts(f, f.other), { callCount: FOLD_AT - 2, lastCalledAt: at(2) });
  });

  it('list a handler deliveries from the time index, not a per-handler one', async () => {
    const f = await fixture();
    const plan = f.sqlite
      .prepare(
        'explain query plan select * from deliveries where webhook_id = ? order by received_at desc, id desc limit 10',
      )
      .all('x') as { detail: string }[];
    assert.match(plan[0]?.detail ?? '', /deliveries_received_at_webhook_id_idx/);
    const indexed = f.sqlite
      .prepare(
        "select name from sqlite_master where type = 'index' and tbl_name = 'deliveries' and sql like '%(webhook_id, received_at)%'",
      )
      .all();
    assert.deepEqual(indexed, []);
  });

  it('survive the migration both ways', async () => {
    const { sqlite, migrator } = migratorOn();
    assert.equal((await migrator.migrateTo('0005_callback_index')).error, undefined);
    sqlite.exec(
      `insert into services (id, engine_id, kind, key, name, created_at, last_seen_at) values ('s', 'local', 'container', 'app', 'app', '${at(0)}', '${at(0)}');
       insert into webhooks (id, service_id, name, operation, token_prefix, token_hash, created_at, last_called_at, call_count)
         values ('w', 's', 'ci', 'REDEPLOY', 'p', 'h', '${at(0)}', '${at(5)}', 7)`,
    );
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const stores = await storesOn(sqlite);
    await stores.calls.transaction((tx) => tx.markWebhookCalled('w', at(6)));
    const found = await stores.store.getWebhook('w');
    assert.equal(found?.callCount, 8);
    assert.equal(found?.lastCalledAt, at(6));

    assert.equal((await migrator.migrateTo('0005_callback_index')).error, undefined);
    assert.deepEqual(sqlite.prepare('select call_count, last_called_at from webhooks').get(), {
      call_count: 8,
      last_called_at: at(6),
    });
  });
});
