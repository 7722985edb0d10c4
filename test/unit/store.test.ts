import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { openSqliteStore } from '../../src/adapters/store/open-store.js';
import type { Action } from '../../src/domain/actions/action.js';
import { HoistError } from '../../src/domain/errors.js';
import type { Store } from '../../src/domain/ports/store.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import type { Delivery } from '../../src/domain/webhooks/delivery.js';
import type { WebhookWithHash } from '../../src/domain/webhooks/webhook.js';
import { actionRecord, callHandlerOf, deliveryRecord, webhookRecord } from '../support/records.js';
import { migratorOn } from '../support/unit-fixture.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'hoist-store-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh database file (in a directory that does not exist yet). */
function freshFile(): string {
  return join(root, randomUUID(), 'nested', 'hoist.db');
}

/** An ISO time `n` seconds after a fixed origin, so ordering is predictable. */
function at(n: number): string {
  return new Date(Date.UTC(2025, 0, 1) + n * 1000).toISOString();
}

async function addService(store: Store, key: string = randomUUID()): Promise<ServiceRecord> {
  return store.upsertService({
    id: randomUUID(),
    engineId: 'local',
    kind: 'compose',
    key,
    name: key,
    seenAt: at(0),
  });
}

function webhook(serviceId: string, overrides: Partial<WebhookWithHash> = {}): WebhookWithHash {
  return webhookRecord(serviceId, { createdAt: at(1), ...overrides });
}

function action(serviceId: string, overrides: Partial<Action> = {}): Action {
  return actionRecord(serviceId, { createdAt: at(10), ...overrides });
}

function delivery(
  webhookId: string,
  serviceId: string,
  overrides: Partial<Delivery> = {},
): Delivery {
  return deliveryRecord(webhookId, serviceId, {
    receivedAt: at(20),
    remoteAddress: '203.0.113.7',
    userAgent: 'curl/8',
    contentType: 'application/json',
    payloadKind: 'dockerhub',
    outcome: 'ignored',
    reason: 'tag mismatch',
    ...overrides,
  });
}

describe('SQLite store', () => {
  let file: string;
  let store: Store;

  beforeEach(async () => {
    if (store) await store.close();
    file = freshFile();
    store = await openSqliteStore(file);
  });
  after(async () => {
    await store.close();
  });

  describe('opening', () => {
    it('creates the parent directory and opens the file in WAL mode', () => {
      assert.ok(existsSync(file));
      const raw = new BetterSqlite3(file, { readonly: true });
      try {
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        raw.close();
      }
    });

    it('enforces foreign keys', async () => {
      await assert.rejects(store.insertWebhook(webhook(randomUUID())), /FOREIGN KEY/);
    });
  });

  describe('services', () => {
    it('creates a record the first time and keeps its id afterwards', async () => {
      const first = await store.upsertService({
        id: 'svc-1',
        engineId: 'local',
        kind: 'compose',
        key: 'shop/web',
        name: 'web',
        seenAt: at(1),
      });
      assert.deepEqual(first, {
        id: 'svc-1',
        engineId: 'local',
        kind: 'compose',
        key: 'shop/web',
        name: 'web',
        createdAt: at(1),
        lastSeenAt: at(1),
        imageRef: null,
        digest: null,
        autoredeploy: false,
        allowSelfRedeploy: false,
      });

      const again = await store.upsertService({
        id: 'svc-2',
        engineId: 'local',
        kind: 'compose',
        key: 'shop/web',
        name: 'shop-web',
        seenAt: at(5),
      });
      assert.deepEqual(again, { ...first, name: 'shop-web', lastSeenAt: at(5) });
      assert.deepEqual(await store.getService('svc-1'), again);
      assert.equal(await store.getService('svc-2'), null);
    });

    it('tells apart the same key in another kind or engine', async () => {
      const base = { key: 'web', name: 'web', seenAt: at(1) };
      const a = await store.upsertService({ ...base, id: 'a', engineId: 'local', kind: 'compose' });
      const b = await store.upsertService({
        ...base,
        id: 'b',
        engineId: 'local',
        kind: 'container',
      });
      const c = await store.upsertService({ ...base, id: 'c', engineId: 'other', kind: 'compose' });
      assert.deepEqual([a.id, b.id, c.id], ['a', 'b', 'c']);
      assert.deepEqual(
        (await store.listServices('local')).map((s) => s.id),
        ['a', 'b'],
      );
      assert.deepEqual(
        (await store.listServices('other')).map((s) => s.id),
        ['c'],
      );
      assert.deepEqual(await store.listServices('nowhere'), []);
    });
  });

  describe('webhooks', () => {
    it('round-trips every field and finds a handler by id, name and token hash', async () => {
      const svc = await addService(store);
      const hook = webhook(svc.id, {
        operation: 'SCALEUP',
        signed: true,
        signatureScheme: 'standard-webhooks',
        signingSecret: 'whsec_store',
      });
      await store.insertWebhook(hook);
      const { tokenHash, signingSecret: _secret, ...expected } = hook;

      assert.deepEqual(await store.getWebhook(hook.id), expected);
      assert.deepEqual(await store.listWebhooks(svc.id), [expected]);
      assert.deepEqual(await store.findActiveWebhookByName(svc.id, 'ci'), expected);
      // A call reads only what taking it needs (CallHandler), its secret included.
      assert.deepEqual(await store.findActiveWebhookByTokenHash(tokenHash), callHandlerOf(hook));
      assert.equal(await store.getWebhook(randomUUID()), null);
      assert.equal(await store.findActiveWebhookByName(svc.id, 'other'), null);
      assert.equal(await store.findActiveWebhookByTokenHash('nope'), null);
    });

    it('reads a signed handler made before migration 0008 as accepting any signature', async () => {
      const file = join(root, `${randomUUID()}.db`);
      const { sqlite, migrator, close } = migratorOn(file);
      try {
        assert.equal((await migrator.migrateTo('0006_call_log')).error, undefined);
        sqlite.exec(
          `insert into services (id, engine_id, kind, key, name, created_at, last_seen_at) values ('s', 'local', 'container', 'app', 'app', '${at(0)}', '${at(0)}');
           insert into webhooks (id, service_id, name, operation, token_prefix, token_hash, created_at, call_count, signing_secret)
             values ('w', 's', 'ci', 'REDEPLOY', 'p', 'h', '${at(0)}', 0, 'whsec_old')`,
        );
        // Both ways: the column goes away and comes back.
        assert.equal((await migrator.migrateToLatest()).error, undefined);
        assert.equal((await migrator.migrateTo('0006_call_log')).error, undefined);
        assert.equal((await migrator.migrateToLatest()).error, undefined);
      } finally {
        await close();
      }
      const reopened = await openSqliteStore(file);
      try {
        const found = await reopened.getWebhook('w');
        assert.equal(found?.signed, true);
        assert.equal(found?.signatureScheme, 'any');
      } finally {
        await reopened.close();
      }
    });

    it('looks token hashes up through the unique index, never a scan', () => {
      const raw = new BetterSqlite3(file, { readonly: true });
      try {
        const plan = raw
          .prepare('EXPLAIN QUERY PLAN SELECT * FROM "webhooks" WHERE "token_hash" = ?')
          .all('x') as { detail: string }[];
        assert.equal(plan.length, 1);
        assert.match(plan[0]?.detail ?? '', /SEARCH webhooks USING INDEX webhooks_token_hash_uq/);
      } finally {
        raw.close();
      }
    });

    it('marks calls and revokes', async () => {
      const svc = await addService(store);
      const hook = webhook(svc.id);
      await store.insertWebhook(hook);

      await store.markWebhookCalled(hook.id, at(30));
      await store.markWebhookCalled(hook.id, at(31));
      let found = await store.getWebhook(hook.id);
      assert.equal(found?.callCount, 2);
      assert.equal(found?.lastCalledAt, at(31));

      await store.revokeWebhook(hook.id, at(40));
      await store.revokeWebhook(hook.id, at(41));
      found = await store.getWebhook(hook.id);
      assert.equal(found?.revokedAt, at(40));
      assert.equal(await store.findActiveWebhookByName(svc.id, 'ci'), null);
      // A revoked handler is no longer found by its hash: a call of it is answered as unknown.
      assert.equal(await store.findActiveWebhookByTokenHash(hook.tokenHash), null);
    });

    it('rejects a second active handler with the same name, and allows it once revoked', async () => {
      const svc = await addService(store);
      const other = await addService(store);
      const first = webhook(svc.id);
      await store.insertWebhook(first);

      await assert.rejects(
        store.insertWebhook(webhook(svc.id)),
        (error: unknown) => error instanceof HoistError && error.code === 'webhook_name_taken',
      );
      // The same name on another service is fine.
      await store.insertWebhook(webhook(other.id));

      await store.revokeWebhook(first.id, at(50));
      const second = webhook(svc.id, { createdAt: at(51) });
      await store.insertWebhook(second);
      assert.equal((await store.findActiveWebhookByName(svc.id, 'ci'))?.id, second.id);
      assert.deepEqual(
        (await store.listWebhooks(svc.id)).map((w) => w.id),
        [first.id, second.id],
      );
    });

    it('rejects a duplicate token hash', async () => {
      const svc = await addService(store);
      const hook = webhook(svc.id);
      await store.insertWebhook(hook);
      await assert.rejects(
        store.insertWebhook(webhook(svc.id, { name: 'other', tokenHash: hook.tokenHash })),
        /UNIQUE constraint failed: webhooks.token_hash/,
      );
    });
  });

  describe('deliveries', () => {
    it('round-trips and lists newest first, up to the limit', async () => {
      const svc = await addService(store);
      const hook = webhook(svc.id);
      await store.insertWebhook(hook);
      const d1 = delivery(hook.id, svc.id, { receivedAt: at(1) });
      const d2 = delivery(hook.id, svc.id, {
        receivedAt: at(2),
        remoteAddress: null,
        userAgent: null,
        contentType: null,
        reason: null,
      });
      const d3 = delivery(hook.id, svc.id, { receivedAt: at(3), outcome: 'rejected' });
      for (const d of [d2, d1, d3]) await store.insertDelivery(d);

      assert.deepEqual(await store.listDeliveries(hook.id, 10), [d3, d2, d1]);
      assert.deepEqual(await store.listDeliveries(hook.id, 2), [d3, d2]);
      assert.deepEqual(await store.listDeliveries(randomUUID(), 10), []);
    });

    it('may be recorded before its action within one transaction', async () => {
      const svc = await addService(store);
      const hook = webhook(svc.id);
      await store.insertWebhook(hook);
      const act = action(svc.id);
      const d = delivery(hook.id, svc.id, { outcome: 'accepted', reason: null, actionId: act.id });
      await store.transaction(async (tx) => {
        await tx.insertDelivery(d);
        await tx.insertAction(act);
      });
      assert.deepEqual(await store.listDeliveries(hook.id, 10), [d]);

      // A delivery naming an action that never appears fails at commit.
      await assert.rejects(
        store.transaction((tx) =>
          tx.insertDelivery(delivery(hook.id, svc.id, { actionId: randomUUID() })),
        ),
        /FOREIGN KEY/,
      );
      assert.equal((await store.listDeliveries(hook.id, 10)).length, 1);
    });
  });

  describe('actions', () => {
    it('round-trips every field, JSON columns included', async () => {
      const svc = await addService(store);
      const full = action(svc.id, {
        state: 'Failed',
        trigger: { kind: 'webhook', webhookId: 'w1', webhookName: 'ci' },
        options: { reuseVolumes: false },
        imageRef: 'nginx:1.27',
        digestBefore: 'sha256:aaa',
        digestAfter: 'sha256:bbb',
        startedAt: at(11),
        endedAt: at(12),
        reason: 'The new container exited with code 1.',
        attempts: 2,
        progress: { step: 'swap', containers: [{ old: 'a', new: 'b' }], done: false },
      });
      const minimal = action(svc.id);
      await store.insertAction(full);
      await store.insertAction(minimal);
      assert.deepEqual(await store.getAction(full.id), full);
      assert.deepEqual(await store.getAction(minimal.id), minimal);
      assert.equal(await store.getAction(randomUUID()), null);
    });

    it('updates only the patched fields', async () => {
      const svc = await addService(store);
      const act = action(svc.id, { imageRef: 'nginx:1' });
      await store.insertAction(act);

      await store.updateAction(act.id, {});
      assert.deepEqual(await store.getAction(act.id), act);

      await store.updateAction(act.id, {
        state: 'Success',
        digestBefore: 'sha256:1',
        digestAfter: 'sha256:2',
        endedAt: at(99),
        progress: { phase: 'done' },
      });
      assert.deepEqual(await store.getAction(act.id), {
        ...act,
        state: 'Success',
        digestBefore: 'sha256:1',
        digestAfter: 'sha256:2',
        endedAt: at(99),
        progress: { phase: 'done' },
      });

      await store.updateAction(act.id, { imageRef: null, progress: null, attempts: 3 });
      const updated = await store.getAction(act.id);
      assert.equal(updated?.imageRef, null);
      assert.equal(updated?.progress, null);
      assert.equal(updated?.attempts, 3);
    });

    it('lists newest first, filters by service and state, and defaults to 100', async () => {
      const a = await addService(store);
      const b = await addService(store);
      const done: Action[] = [];
      for (let i = 0; i < 105; i++) {
        const act = action(i % 2 === 0 ? a.id : b.id, { state: 'Success', createdAt: at(i) });
        done.push(act);
        await store.insertAction(act);
      }
      const pending = action(a.id, { createdAt: at(200) });
      await store.insertAction(pending);

      const all = await store.listActions({});
      assert.equal(all.length, 100);
      assert.equal(all[0]?.id, pending.id);
      assert.equal(all[1]?.id, done[104]?.id);
      assert.equal(all[99]?.id, done[6]?.id);

      assert.equal((await store.listActions({ limit: 500 })).length, 106);
      assert.deepEqual(
        (await store.listActions({ state: 'Pending' })).map((x) => x.id),
        [pending.id],
      );
      const ofB = await store.listActions({ serviceId: b.id, limit: 3 });
      assert.deepEqual(
        ofB.map((x) => x.id),
        [done[103]?.id, done[101]?.id, done[99]?.id],
      );
      assert.deepEqual(await store.listActions({ serviceId: b.id, state: 'Pending' }), []);
    });

    it('finds the Pending action of a type for a service', async () => {
      const svc = await addService(store);
      assert.equal(await store.findPendingAction(svc.id, 'redeploy'), null);
      await store.insertAction(action(svc.id, { state: 'In progress' }));
      assert.equal(await store.findPendingAction(svc.id, 'redeploy'), null);
      const pending = action(svc.id);
      await store.insertAction(pending);
      assert.deepEqual(await store.findPendingAction(svc.id, 'redeploy'), pending);
    });

    it('rejects a second Pending redeploy for the same service', async () => {
      const svc = await addService(store);
      const other = await addService(store);
      const first = action(svc.id);
      await store.insertAction(first);
      await assert.rejects(
        store.insertAction(action(svc.id)),
        /UNIQUE constraint failed: actions.service_id/,
      );
      // Scale actions queue rather than coalesce: several may be Pending.
      await store.insertAction(action(svc.id, { type: 'scale' }));
      await store.insertAction(action(svc.id, { type: 'scale' }));
      // Other services, and other states, are not limited.
      await store.insertAction(action(other.id));
      await store.insertAction(action(svc.id, { state: 'Success' }));
      await store.insertAction(action(svc.id, { state: 'Failed' }));
      // Once the first leaves Pending, a new one may queue.
      await store.updateAction(first.id, { state: 'In progress' });
      await store.insertAction(action(svc.id));
      await assert.rejects(
        store.updateAction(first.id, { state: 'Pending' }),
        /UNIQUE constraint failed/,
      );
    });
  });

  describe('what metrics read', () => {
    it('counts actions in a state', async () => {
      const service = await addService(store);
      await store.insertAction(action(service.id, { state: 'Success', type: 'scale' }));
      await store.insertAction(action(service.id, { state: 'Pending' }));
      await store.insertAction(action(service.id, { state: 'Pending', type: 'scale' }));
      assert.equal(await store.countActions('Pending'), 2);
      assert.equal(await store.countActions('In progress'), 0);
    });

    it("lists each service's newest successful redeploy, and only redeploys that succeeded", async () => {
      const web = await addService(store, 'shop/web');
      const api = await addService(store, 'shop/api');
      const none = await addService(store, 'shop/none');
      const ended = (serviceId: string, endedAt: string, overrides: Partial<Action> = {}) =>
        store.insertAction(action(serviceId, { state: 'Success', endedAt, ...overrides }));
      await ended(web.id, at(100));
      await ended(web.id, at(300));
      await ended(web.id, at(400), { state: 'Failed' });
      await ended(web.id, at(500), { type: 'scale' });
      await ended(api.id, at(200));
      await ended(none.id, at(600), { state: 'Failed' });
      const last = await store.listLastSuccessfulRedeploys();
      assert.deepEqual(
        last.sort((a, b) => a.service.name.localeCompare(b.service.name)),
        [
          { service: { id: api.id, name: 'shop/api' }, endedAt: at(200) },
          { service: { id: web.id, name: 'shop/web' }, endedAt: at(300) },
        ],
      );
    });
  });

  describe('claimNextAction', () => {
    it('returns null when nothing is Pending', async () => {
      assert.equal(await store.claimNextAction(at(1)), null);
      const svc = await addService(store);
      await store.insertAction(action(svc.id, { state: 'Success' }));
      assert.equal(await store.claimNextAction(at(1)), null);
    });

    it('claims the oldest Pending action, by created time then id', async () => {
      const s1 = await addService(store);
      const s2 = await addService(store);
      const s3 = await addService(store);
      const late = action(s1.id, { createdAt: at(30) });
      const tieB = action(s2.id, { id: 'b-action', createdAt: at(20) });
      const tieA = action(s3.id, { id: 'a-action', createdAt: at(20), attempts: 1 });
      for (const a of [late, tieB, tieA]) await store.insertAction(a);

      const first = await store.claimNextAction(at(100));
      assert.deepEqual(first, { ...tieA, state: 'In progress', startedAt: at(100), attempts: 2 });
      assert.deepEqual(await store.getAction(tieA.id), first);
      assert.equal((await store.claimNextAction(at(101)))?.id, tieB.id);
      assert.equal((await store.claimNextAction(at(102)))?.id, late.id);
      assert.equal(await store.claimNextAction(at(103)), null);
    });

    it('skips services that already have an action In progress', async () => {
      const busy = await addService(store);
      const idle = await addService(store);
      await store.insertAction(action(busy.id, { state: 'In progress', createdAt: at(1) }));
      const waiting = action(busy.id, { createdAt: at(2) });
      const other = action(idle.id, { createdAt: at(3) });
      await store.insertAction(waiting);
      await store.insertAction(other);

      assert.equal((await store.claimNextAction(at(10)))?.id, other.id);
      assert.equal(await store.claimNextAction(at(11)), null);

      const running = await store.listActions({ serviceId: busy.id, state: 'In progress' });
      assert.equal(running.length, 1);
      await store.updateAction(running[0]?.id ?? '', { state: 'Success', endedAt: at(12) });
      assert.equal((await store.claimNextAction(at(13)))?.id, waiting.id);
    });

    it('never claims two actions of one service when called concurrently', async () => {
      const services = await Promise.all([1, 2, 3].map(() => addService(store)));
      for (const [i, svc] of services.entries()) {
        await store.insertAction(action(svc.id, { createdAt: at(i) }));
        await store.insertAction(action(svc.id, { state: 'Canceled', createdAt: at(i) }));
      }
      const claimed = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.claimNextAction(at(100 + i))),
      );
      const ids = claimed.flatMap((c) => (c ? [c.id] : []));
      assert.equal(ids.length, 3);
      assert.equal(new Set(ids).size, 3);
      assert.equal((await store.listActions({ state: 'In progress' })).length, 3);
    });
  });

  describe('action logs', () => {
    it('numbers entries from 1 per action, in order', async () => {
      const svc = await addService(store);
      const a = action(svc.id);
      const b = action(svc.id, { state: 'Success' });
      await store.insertAction(a);
      await store.insertAction(b);
      assert.deepEqual(await store.getActionLog(a.id), []);

      await store.appendActionLog(a.id, at(1), 'Pulling nginx:1.27');
      await store.appendActionLog(b.id, at(2), 'other');
      await store.appendActionLog(a.id, at(3), 'Starting web-1');
      assert.deepEqual(await store.getActionLog(a.id), [
        { seq: 1, at: at(1), message: 'Pulling nginx:1.27' },
        { seq: 2, at: at(3), message: 'Starting web-1' },
      ]);
      assert.deepEqual(await store.getActionLog(b.id), [{ seq: 1, at: at(2), message: 'other' }]);
    });

    it('gives concurrent appends distinct, gapless numbers', async () => {
      const svc = await addService(store);
      const a = action(svc.id);
      await store.insertAction(a);
      await Promise.all(
        Array.from({ length: 30 }, (_, i) => store.appendActionLog(a.id, at(i), `step ${i}`)),
      );
      const log = await store.getActionLog(a.id);
      assert.deepEqual(
        log.map((e) => e.seq),
        Array.from({ length: 30 }, (_, i) => i + 1),
      );
    });

    it('works inside a transaction', async () => {
      const svc = await addService(store);
      const a = action(svc.id);
      await store.transaction(async (tx) => {
        await tx.insertAction(a);
        await tx.appendActionLog(a.id, at(1), 'one');
        await tx.appendActionLog(a.id, at(2), 'two');
      });
      assert.deepEqual(
        (await store.getActionLog(a.id)).map((e) => e.seq),
        [1, 2],
      );
    });
  });

  describe('users and API tokens', () => {
    const user = (username: string) => ({
      id: randomUUID(),
      username,
      role: 'operator' as const,
      createdAt: at(1),
      passwordSetAt: at(1),
    });

    it('round-trips users, finds one by username with its hash, and rejects a taken username', async () => {
      const ann = user('ann');
      await store.insertUser({ ...ann, passwordHash: 'scrypt$x' });
      assert.deepEqual(await store.getUser(ann.id), ann);
      assert.deepEqual(await store.findUserByUsername('ann'), {
        user: ann,
        passwordHash: 'scrypt$x',
      });
      assert.equal(await store.findUserByUsername('Ann'), null, 'usernames are exact');
      await store.updateUser(ann.id, {
        role: 'viewer',
        passwordHash: 'scrypt$y',
        passwordSetAt: at(2),
      });
      assert.deepEqual(await store.findUserByUsername('ann'), {
        user: { ...ann, role: 'viewer', passwordSetAt: at(2) },
        passwordHash: 'scrypt$y',
      });
      await assert.rejects(
        store.insertUser({ ...user('ann'), passwordHash: null }),
        /UNIQUE constraint failed: users.username/,
      );
    });

    it('round-trips tokens, finds by hash, lists per owner, and rejects a duplicate hash', async () => {
      const ann = user('ann');
      const bob = user('bob');
      await store.insertUser({ ...ann, passwordHash: null });
      await store.insertUser({ ...bob, passwordHash: null });
      const token = {
        id: randomUUID(),
        name: 'admin',
        userId: ann.id,
        scopes: ['read' as const, 'deploy' as const],
        tokenPrefix: 'hst_abcd',
        createdAt: at(1),
        expiresAt: at(9),
        lastUsedAt: null,
      };
      await store.insertApiToken({ ...token, tokenHash: 'hash-1' });
      const bobs = { ...token, id: randomUUID(), userId: bob.id, name: 'ci', expiresAt: null };
      await store.insertApiToken({ ...bobs, lastUsedAt: at(2), tokenHash: 'hash-2' });
      assert.deepEqual(await store.findApiTokenByHash('hash-1'), token);
      assert.deepEqual(await store.getApiToken(token.id), token);
      assert.equal((await store.findApiTokenByHash('hash-2'))?.lastUsedAt, at(2));
      assert.equal(await store.findApiTokenByHash('nope'), null);
      assert.deepEqual(
        (await store.listApiTokens(ann.id)).map((t) => t.id),
        [token.id],
      );
      assert.equal((await store.listApiTokens()).length, 2);
      await assert.rejects(
        store.insertApiToken({ ...token, id: randomUUID(), tokenHash: 'hash-1' }),
        /UNIQUE constraint failed: api_tokens.token_hash/,
      );
      await store.deleteUser(bob.id);
      assert.equal(await store.findApiTokenByHash('hash-2'), null, "a user's tokens go with them");
      await store.deleteApiToken(token.id);
      assert.deepEqual(await store.listApiTokens(), []);
    });
  });

  describe('transactions', () => {
    it('returns what fn returns and commits its writes', async () => {
      const result = await store.transaction(async (tx) => {
        const svc = await addService(tx);
        await tx.insertAction(action(svc.id));
        return svc.id;
      });
      assert.equal((await store.listActions({ serviceId: result })).length, 1);
    });

    it('leaves nothing written when fn throws', async () => {
      const svc = await addService(store);
      const hook = webhook(svc.id);
      await store.insertWebhook(hook);
      const boom = new Error('boom');

      await assert.rejects(
        store.transaction(async (tx) => {
          const other = await addService(tx, 'rolled-back');
          const act = action(other.id);
          await tx.insertAction(act);
          await tx.appendActionLog(act.id, at(1), 'never');
          await tx.insertDelivery(delivery(hook.id, svc.id));
          await tx.markWebhookCalled(hook.id, at(2));
          const owner = randomUUID();
          await tx.insertUser({
            id: owner,
            username: 'x',
            role: 'viewer',
            createdAt: at(1),
            passwordSetAt: null,
            passwordHash: null,
          });
          await tx.insertApiToken({
            id: randomUUID(),
            name: 'x',
            userId: owner,
            scopes: ['read'],
            tokenPrefix: 'x',
            createdAt: at(1),
            expiresAt: null,
            lastUsedAt: null,
            tokenHash: 'x',
          });
          throw boom;
        }),
        (error: unknown) => error === boom,
      );

      assert.deepEqual(
        (await store.listServices('local')).map((s) => s.id),
        [svc.id],
      );
      assert.deepEqual(await store.listActions({}), []);
      assert.deepEqual(await store.listDeliveries(hook.id, 10), []);
      assert.equal((await store.getWebhook(hook.id))?.callCount, 0);
      assert.deepEqual(await store.listApiTokens(), []);
      assert.deepEqual(await store.listUsers(), []);
    });

    it('runs a nested transaction inside the outer one', async () => {
      const boom = new Error('boom');
      let nestedSawOuterWrite = false;
      await assert.rejects(
        store.transaction(async (tx) => {
          const svc = await addService(tx, 'outer');
          await tx.transaction(async (inner) => {
            nestedSawOuterWrite = (await inner.getService(svc.id)) !== null;
            await inner.insertAction(action(svc.id));
          });
          throw boom;
        }),
        (error: unknown) => error === boom,
      );
      assert.equal(nestedSawOuterWrite, true);
      // The nested writes were part of the outer transaction, so they rolled back with it.
      assert.deepEqual(await store.listServices('local'), []);
      assert.deepEqual(await store.listActions({}), []);
    });

    it('serializes concurrent read-then-write transactions', async () => {
      const svc = await addService(store);
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          store.transaction(async (tx) => {
            const pending = await tx.findPendingAction(svc.id, 'redeploy');
            if (pending) return 'coalesced';
            // Yield to the event loop between the read and the write, as real code would.
            await new Promise((resolve) => setImmediate(resolve));
            await tx.insertAction(action(svc.id, { createdAt: at(i) }));
            return 'created';
          }),
        ),
      );
      assert.equal(outcomes.filter((o) => o === 'created').length, 1);
      assert.equal(outcomes.filter((o) => o === 'coalesced').length, 49);
      assert.equal((await store.listActions({ serviceId: svc.id, state: 'Pending' })).length, 1);
    });
  });

  describe('persistence', () => {
    it('keeps its data when reopened, and migrating again changes nothing', async () => {
      const svc = await addService(store);
      const hook = webhook(svc.id);
      await store.insertWebhook(hook);
      const act = action(svc.id, { progress: { step: 1 } });
      await store.insertAction(act);
      await store.appendActionLog(act.id, at(1), 'hello');
      await store.close();

      store = await openSqliteStore(file);
      await store.close();
      store = await openSqliteStore(file);

      assert.deepEqual(await store.getService(svc.id), svc);
      assert.equal((await store.findActiveWebhookByTokenHash(hook.tokenHash))?.id, hook.id);
      assert.deepEqual(await store.getAction(act.id), act);
      assert.deepEqual(await store.getActionLog(act.id), [{ seq: 1, at: at(1), message: 'hello' }]);
      // The unique indexes still hold after reopening.
      await assert.rejects(store.insertAction(action(svc.id)), /UNIQUE constraint failed/);

      const raw = new BetterSqlite3(file, { readonly: true });
      try {
        const names = raw.prepare('SELECT name FROM kysely_migration ORDER BY name').all() as {
          name: string;
        }[];
        assert.deepEqual(
          names.map((n) => n.name),
          [
            '0001_initial',
            '0002_scale',
            '0003_payloads',
            '0004_rate_limit',
            '0005_callback_index',
            '0006_call_log',
            '0007_action_list_indexes',
            '0008_signature_scheme',
            '0009_allow_self_redeploy',
            '0010_accounts',
            '0012_audit_log',
          ],
        );
      } finally {
        raw.close();
      }
    });
  });
});
