/**
 * Opens Hoist's SQLite store: creates the data directory when missing, opens
 * the file with better-sqlite3 (WAL, a busy timeout, foreign keys on), runs
 * the migrations and returns the Store, and the CallStore the public call
 * path runs on (the same connection).
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { CallStore, Store } from '../../domain/ports/store.js';
import type { Database } from './database.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import { SqliteCallStore } from './sqlite-call-store.js';
import { withStoreUnavailable } from './store-unavailable.js';
import { ensurePrivateFile, tightenIfPresent } from '../files/private-files.js';

/** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 5000;
/** The most SQLite keeps of the database in memory: 64 MiB. */
const CACHE_KIB = 64 * 1024;

export interface SqliteStores {
  store: Store;
  calls: CallStore;
}

export async function openSqliteStore(file: string): Promise<Store> {
  return (await openSqliteStores(file)).store;
}

export async function openSqliteStores(file: string): Promise<SqliteStores> {
  return storesOn(openSqliteConnection(file));
}

/** The connection both stores share, with Hoist's settings (not migrated: storesOn migrates). */
export function openSqliteConnection(file: string): BetterSqlite3.Database {
  const inMemory = file === ':memory:' || file === '';
  if (!inMemory) {
    // The data directory itself is made private by the server (ensurePrivateDir).
    mkdirSync(dirname(file), { recursive: true });
    // The database holds signing secrets: 0600 before SQLite opens it, and its -wal and -shm
    // (which SQLite creates with the database's mode) too, when an older Hoist left them looser.
    ensurePrivateFile(file);
    tightenIfPresent(`${file}-wal`);
    tightenIfPresent(`${file}-shm`);
  }

  const sqlite = new BetterSqlite3(file);
  try {
    if (!inMemory) sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    sqlite.pragma('foreign_keys = ON');
    // With WAL, NORMAL is durable against application crashes and much faster than FULL.
    sqlite.pragma('synchronous = NORMAL');
    // A checkpoint (copying the WAL into the file, with an fsync) every 10,000 pages (40 MB)
    // rather than SQLite's 1,000: the pages every call touches are copied once for many commits,
    // not once per 1,000 pages of WAL. The WAL is cut back to 16 MB after each.
    sqlite.pragma('wal_autocheckpoint = 10000');
    sqlite.pragma(`journal_size_limit = ${16 * 1024 * 1024}`);
    // SQLite's default page cache is 2 MB. With 10,000 services x 3 handlers the database is
    // about 15 MB, and each call reads a handler, its service's pending action and the parent
    // rows its delivery's foreign keys name from random pages, which a 2 MB cache mostly does
    // not hold. A one-off A/B of the intake alone on that store (40,000 calls, 32 at a time, on
    // a loaded machine) took 90-141 us a call with 2 MB against 62-91 us with 64 MB; bench row
    // 2a went from 0.59-0.73x to 0.93-0.99x of row 1 with this and the other call-path cuts of
    // 2026-12-06. Pages are allocated as they are read, so a small database still uses little.
    sqlite.pragma(`cache_size = -${CACHE_KIB}`);
  } catch (error) {
    sqlite.close();
    throw error;
  }
  return sqlite;
}

/**
 * Both stores on one open connection (migrated first); closing the Store
 * closes the connection. Tests that need the connection itself use this.
 */
export async function storesOn(sqlite: BetterSqlite3.Database): Promise<SqliteStores> {
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStoreUnavailable(sqlite) }),
  });
  try {
    await migrateToLatest(db as Kysely<unknown>);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return {
    store: new KyselyStore(db),
    calls: new SqliteCallStore(sqlite, (fn) => db.connection().execute(fn)),
  };
}
