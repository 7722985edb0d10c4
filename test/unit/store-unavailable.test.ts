/**
 * The Kysely store on a database that cannot grow: every write, inside a
 * transaction or not, fails as store_unavailable (503 over HTTP), reads go
 * on, and writes work again once there is room. Real SQLite; SQLite's own
 * SQLITE_FULL comes from max_page_count.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { storesOn } from '../../src/adapters/store/open-store.js';
import type { HoistError } from '../../src/domain/errors.js';
import type { Store } from '../../src/domain/ports/store.js';
import { refusal } from '../support/refusal.js';

const root = mkdtempSync(join(tmpdir(), 'hoist-store-full-'));
after(() => rmSync(root, { recursive: true, force: true }));

function addService(store: Store, key: string) {
  return store.upsertService({
    id: randomUUID(),
    engineId: 'local',
    kind: 'container',
    key,
    name: `${key}-${'x'.repeat(2000)}`,
    seenAt: new Date().toISOString(),
  });
}

async function unavailable(promise: Promise<unknown>): Promise<HoistError> {
  const error = await refusal(promise, 'the write succeeded on a full database');
  assert.equal(error.code, 'store_unavailable');
  assert.match(error.message, /SQLITE_FULL/);
  return error;
}

it('answers store_unavailable to writes on a full database, in a transaction or not, and recovers', async () => {
  const sqlite = new BetterSqlite3(join(root, 'hoist.db'));
  sqlite.pragma('journal_mode = WAL');
  const { store } = await storesOn(sqlite);
  try {
    await addService(store, 'before');
    sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true }))}`);

    // Enough rows that the table must grow by a page.
    await unavailable(
      (async () => {
        for (let i = 0; i < 50; i++) await addService(store, `outside ${i}`);
      })(),
    );
    await unavailable(
      store.transaction(async (tx) => {
        for (let i = 0; i < 50; i++) await addService(tx, `inside ${i}`);
      }),
    );
    const names = (await store.listServices('local')).map((s) => s.key);
    assert.ok(names.includes('before'), 'reads go on');
    assert.ok(!names.some((n) => n.startsWith('inside')), 'the transaction left nothing');

    sqlite.pragma('max_page_count = 1073741823');
    await addService(store, 'after');
    assert.ok((await store.listServices('local')).some((s) => s.key === 'after'));
  } finally {
    await store.close();
  }
});
