/**
 * Paging of the lists that grow (domain/paging.ts on the SQLite store): a
 * handler's deliveries, a registry endpoint's calls and actions, read a page
 * at a time newest first by (time, id), give every row once and in order,
 * also when many rows share a time, when a page ends inside such a run, and
 * when new rows arrive between pages; and each page is read through an index.
 * Deliveries are recorded through both call paths (the group-commit
 * SqliteCallStore and the Kysely store). Real SQLite files.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Action } from '../../src/domain/actions/action.js';
import { readPage, type Position } from '../../src/domain/paging.js';
import type { RegistryCall } from '../../src/domain/registries/registry.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import type { Delivery } from '../../src/domain/webhooks/delivery.js';
import type { Webhook } from '../../src/domain/webhooks/webhook.js';
import { newRecordId } from '../../src/domain/record-id.js';
import {
  actionRecord,
  at,
  deliveryRecord,
  newestFirst,
  webhookRecord,
} from '../support/records.js';
import { migratorOn, openTracedStores, type TracedStores } from '../support/unit-fixture.js';

interface Fixture extends TracedStores {
  service: ServiceRecord;
  other: ServiceRecord;
  webhook: Webhook;
  otherWebhook: Webhook;
  registryId: string;
  otherRegistryId: string;
}

async function fixture(): Promise<Fixture> {
  const stores = await openTracedStores();
  const service = (key: string) =>
    stores.store.upsertService({
      id: randomUUID(),
      engineId: 'local',
      kind: 'container',
      key,
      name: key,
      seenAt: at(0),
    });
  const [web, other] = [await service('web'), await service('other')];
  const webhook = webhookRecord(web.id, { createdAt: at(0) });
  const otherWebhook = webhookRecord(web.id, { name: 'other', createdAt: at(0) });
  await stores.store.insertWebhook(webhook);
  await stores.store.insertWebhook(otherWebhook);
  const registry = (name: string) => ({
    id: randomUUID(),
    name,
    tokenPrefix: 'abcd1234',
    tokenHash: randomUUID(),
    createdAt: at(0),
    revokedAt: null,
  });
  const [registryA, registryB] = [registry('main'), registry('other')];
  await stores.store.insertRegistry(registryA);
  await stores.store.insertRegistry(registryB);
  return {
    ...stores,
    service: web,
    other,
    webhook,
    otherWebhook,
    registryId: registryA.id,
    otherRegistryId: registryB.id,
  };
}

/** A random order: rows that share a time must not land in id order by accident. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/**
 * Follows the pages of a list to the end, running `between` after each page
 * but the last, and returns the pages' items.
 */
async function allPages<T>(
  limit: number,
  read: (limit: number, before: Position | undefined) => Promise<T[]>,
  position: (item: T) => Position,
  between: (pageNumber: number) => Promise<void> = async () => {},
): Promise<T[][]> {
  const pages: T[][] = [];
  let before: Position | undefined;
  for (;;) {
    const page = await readPage(limit, before, read, position);
    pages.push(page.items);
    if (page.next === null) return pages;
    assert.ok(pages.length < 1000, 'the pages end');
    assert.deepEqual(page.next, position(page.items[page.items.length - 1] as T));
    await between(pages.length);
    before = page.next;
  }
}

const deliveryPosition = (d: Delivery) => ({ at: d.receivedAt, id: d.id });
const callPosition = (c: RegistryCall) => ({ at: c.receivedAt, id: c.id });
const actionPosition = (a: Action) => ({ at: a.createdAt, id: a.id });

/** The plan of the last statement run that starts with `prefix`, one line a step. */
function planOf(f: Fixture, prefix: string): string {
  const statement = f.statements.filter((s) => s.startsWith(prefix)).pop();
  assert.ok(statement, `a statement starting with ${prefix} ran`);
  const plan = f.sqlite.prepare(`explain query plan ${statement}`).all() as { detail: string }[];
  return plan.map((step) => step.detail).join('\n');
}

describe('paging', () => {
  it('2,500 deliveries paged by 1,000: every one once, in order, while new calls arrive', async () => {
    const f = await fixture();
    // 7 calls a second (pages end inside a second), recorded half through each call path, in
    // a random order; the other handler's calls in between stay out of this handler's pages.
    const second = (i: number) => at(1 + Math.floor(i / 7));
    const mine = Array.from({ length: 2500 }, (_, i) =>
      deliveryRecord(f.webhook.id, f.service.id, { receivedAt: second(i) }),
    );
    const others = Array.from({ length: 500 }, (_, i) =>
      deliveryRecord(f.otherWebhook.id, f.service.id, { receivedAt: second(i * 5) }),
    );
    const rows = shuffled([...mine, ...others]);
    const half = rows.length / 2;
    await Promise.all(
      rows.slice(0, half).map((d) => f.calls.transaction((tx) => tx.insertDelivery(d))),
    );
    await f.store.transaction(async (tx) => {
      for (const d of rows.slice(half)) await tx.insertDelivery(d);
    });

    // Between pages, new calls arrive: at the newest time already listed, and later.
    const arrived: Delivery[] = [];
    const pages = await allPages(
      1000,
      (limit, before) => f.store.listDeliveries(f.webhook.id, limit, before),
      deliveryPosition,
      async (n) => {
        const news = [second(2499), at(1000 + n), at(1000 + n)].map((receivedAt) =>
          deliveryRecord(f.webhook.id, f.service.id, { receivedAt }),
        );
        await Promise.all(news.map((d) => f.calls.transaction((tx) => tx.insertDelivery(d))));
        arrived.push(...news);
      },
    );

    assert.deepEqual(
      pages.map((p) => p.length),
      [1000, 1000, 500],
    );
    assert.deepEqual(pages.flat(), newestFirst(mine, deliveryPosition));
    // What arrived meanwhile is on a first page read now, not in the pages that were followed.
    const first = await f.store.listDeliveries(f.webhook.id, 1000);
    assert.deepEqual(first.slice(0, arrived.length), newestFirst(arrived, deliveryPosition));
  });

  it('a page that ends inside a run of one time goes on with the rest of the run', async () => {
    const f = await fixture();
    const same = Array.from({ length: 7 }, () =>
      deliveryRecord(f.webhook.id, f.service.id, { receivedAt: at(5), id: randomUUID() }),
    );
    const older = deliveryRecord(f.webhook.id, f.service.id, { receivedAt: at(4) });
    for (const d of shuffled([...same, older])) await f.store.insertDelivery(d);
    const pages = await allPages(
      3,
      (limit, before) => f.store.listDeliveries(f.webhook.id, limit, before),
      deliveryPosition,
    );
    assert.deepEqual(
      pages.map((p) => p.length),
      [3, 3, 2],
    );
    assert.deepEqual(pages.flat(), newestFirst([...same, older], deliveryPosition));
  });

  it('a list that fits one page has no next page, also when it fills it exactly', async () => {
    const f = await fixture();
    const read = (limit: number, before: Position | undefined) =>
      f.store.listDeliveries(f.webhook.id, limit, before);
    assert.deepEqual(await readPage(5, undefined, read, deliveryPosition), {
      items: [],
      next: null,
    });
    for (let i = 0; i < 5; i++) {
      await f.store.insertDelivery(
        deliveryRecord(f.webhook.id, f.service.id, { receivedAt: at(i) }),
      );
    }
    const page = await readPage(5, undefined, read, deliveryPosition);
    assert.equal(page.items.length, 5);
    assert.equal(page.next, null);
  });

  it("a registry endpoint's calls, paged: every one once, in order, only its own", async () => {
    const f = await fixture();
    const call = (registryId: string, n: number): RegistryCall => ({
      id: newRecordId(),
      registryId,
      receivedAt: at(Math.floor(n / 4)),
      remoteAddress: '192.0.2.1',
      deliveryKey: null,
      pushed: ['registry.example.com/web:latest'],
      outcome: 'accepted',
      reason: null,
      actionIds: [],
    });
    const mine = Array.from({ length: 53 }, (_, n) => call(f.registryId, n));
    const others = Array.from({ length: 20 }, (_, n) => call(f.otherRegistryId, n));
    await Promise.all(
      shuffled([...mine, ...others]).map((c) =>
        f.calls.transaction((tx) => tx.insertRegistryCall(c)),
      ),
    );
    const pages = await allPages(
      10,
      (limit, before) => f.store.listRegistryCalls(f.registryId, limit, before),
      callPosition,
    );
    assert.equal(pages.length, 6);
    assert.deepEqual(pages.flat(), newestFirst(mine, callPosition));
  });

  it('actions paged, all of them and filtered by service and state: every one once, in order', async () => {
    const f = await fixture();
    const states = ['Success', 'Failed', 'Canceled'] as const;
    const actions = Array.from({ length: 60 }, (_, n) =>
      actionRecord(n % 3 === 0 ? f.other.id : f.service.id, {
        state: states[(n >> 1) % states.length],
        createdAt: at(Math.floor(n / 5)),
      }),
    );
    for (const a of shuffled(actions)) await f.store.insertAction(a);
    const filters = [
      {},
      { serviceId: f.service.id },
      { state: 'Failed' as const },
      { serviceId: f.service.id, state: 'Success' as const },
    ];
    for (const filter of filters) {
      const pages = await allPages(
        7,
        (limit, before) => f.store.listActions({ ...filter, limit, before }),
        actionPosition,
      );
      const expected = newestFirst(
        actions.filter(
          (a) =>
            (filter.serviceId === undefined || a.serviceId === filter.serviceId) &&
            (filter.state === undefined || a.state === filter.state),
        ),
        actionPosition,
      );
      assert.ok(expected.length > 7, 'more than one page');
      assert.deepEqual(pages.flat(), expected, JSON.stringify(filter));
    }
  });

  it('reads each page through an index, never a scan of the table or a sort of all of it', async () => {
    const f = await fixture();
    const before = { at: at(5), id: randomUUID() };
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      [
        'select * from "deliveries"',
        () => f.store.listDeliveries(f.webhook.id, 11, before),
        /^SEARCH deliveries USING INDEX deliveries_received_at_webhook_id_idx/,
      ],
      [
        'select * from "registry_calls"',
        () => f.store.listRegistryCalls(f.registryId, 11, before),
        /^SEARCH registry_calls USING INDEX registry_calls_registry_id_received_at_idx/,
      ],
      [
        'select * from "actions"',
        () => f.store.listActions({ limit: 11 }),
        /^SCAN actions USING INDEX actions_created_at_id_idx$/,
      ],
      [
        'select * from "actions"',
        () => f.store.listActions({ limit: 11, before }),
        /^SEARCH actions USING INDEX actions_created_at_id_idx/,
      ],
      [
        'select * from "actions"',
        () => f.store.listActions({ serviceId: f.service.id, limit: 11, before }),
        /^SEARCH actions USING INDEX actions_service_id_created_at_id_idx/,
      ],
      [
        'select * from "actions"',
        () => f.store.listActions({ state: 'Failed', limit: 11, before }),
        /^SEARCH actions USING INDEX actions_state_created_at_idx/,
      ],
    ];
    for (const [prefix, list, expected] of cases) {
      await list();
      const plan = planOf(f, prefix);
      assert.match(plan, expected);
      // A run of rows of one time may be sorted by id; the whole list never is.
      assert.doesNotMatch(plan, /USE TEMP B-TREE FOR ORDER BY/, plan);
    }
  });

  it('migration 0007 adds the action list indexes and takes them away again', async () => {
    const { sqlite, migrator } = migratorOn();
    const indexes = () =>
      (
        sqlite
          .prepare("select name from sqlite_master where type = 'index' and tbl_name = 'actions'")
          .all() as { name: string }[]
      )
        .map((row) => row.name)
        .filter((name) => name.endsWith('_id_idx'));
    assert.equal((await migrator.migrateTo('0006_call_log')).error, undefined);
    assert.deepEqual(indexes(), []);
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    assert.deepEqual(indexes().sort(), [
      'actions_created_at_id_idx',
      'actions_service_id_created_at_id_idx',
    ]);
    assert.equal((await migrator.migrateTo('0006_call_log')).error, undefined);
    assert.deepEqual(indexes(), []);
  });
});
