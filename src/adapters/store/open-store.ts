/**
 * Opens Hoist's SQLite store: creates the data directory when missing, opens
 * the file with better-sqlite3 (WAL, a busy timeout, foreign keys on), runs
 * the migrations and returns the Store.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Store } from '../../domain/ports/store.js';
import type { Database } from './database.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';

/** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;

export async function openSqliteStore(file: string): Promise<Store> {
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory) mkdirSync(dirname(file), { recursive: true });

  const sqlite = new BetterSqlite3(file);
  let db: Kysely<Database> | undefined;
  try {
    if (!inMemory) sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('foreign_keys = ON');
    // With WAL, NORMAL is durable against application crashes and much faster than FULL.
    sqlite.pragma('synchronous = NORMAL');

    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(db as Kysely<unknown>);
    return new KyselyStore(db);
  } catch (error) {
    if (db) await db.destroy();
    else sqlite.close();
    throw error;
  }
}
