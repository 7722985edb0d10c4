/**
 * Set-up shared by the unit tests of the domain: a real SQLite store (closed
 * after each test), a service record, webhook handlers. Small pieces, each
 * named after what it makes; a test file's own fixture puts together the
 * ones it needs. Actions: see action-fixture.ts.
 *
 * Importing this module registers an afterEach hook that closes every store
 * and migrator opened through it during the test, and an after hook that
 * removes the directory of the database files made by dbFile().
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { migrationProvider } from '../../src/adapters/store/migrations.js';
import {
  openSqliteStores,
  storesOn,
  type SqliteStores,
} from '../../src/adapters/store/open-store.js';
import type { Clock } from '../../src/domain/clock.js';
import type { Logger } from '../../src/domain/logger.js';
import type { Store } from '../../src/domain/ports/store.js';
import { HoistItself } from '../../src/domain/services/hoist-itself.js';
import { ServiceCatalog } from '../../src/domain/services/service-catalog.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { WebhookHandlers } from '../../src/domain/webhooks/webhook-handlers.js';
import { FakeEngine } from './fake-engine.js';

/** Where the unit tests' Hoist says it is reachable; handler URLs are `<PUBLIC_URL>/hooks/<token>`. */
export const PUBLIC_URL = 'https://hoist.example.com';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

let root: string | undefined;
after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A new database file name in a temporary directory of this test file, removed after it. */
export function dbFile(): string {
  root ??= mkdtempSync(join(tmpdir(), 'hoist-unit-'));
  return join(root, `${randomUUID()}.db`);
}

/**
 * The Store and the CallStore the public call path runs on (one connection),
 * in memory unless given a file; closed after the test.
 */
export async function openStores(file = ':memory:'): Promise<SqliteStores> {
  const stores = await openSqliteStores(file);
  open.push(stores.store);
  return stores;
}

/** The Store alone, in memory unless given a file; closed after the test. */
export async function openStore(file = ':memory:'): Promise<Store> {
  return (await openStores(file)).store;
}

/** Closes a store opened here before the test ends (it is then not closed again after it). */
export async function closeStore(store: Store): Promise<void> {
  await store.close();
  const i = open.indexOf(store);
  if (i >= 0) open.splice(i, 1);
}

/** The stores on a connection of their own, with every statement it runs. */
export interface TracedStores extends SqliteStores {
  sqlite: BetterSqlite3.Database;
  /** Every statement the connection ran, values in place, in order (better-sqlite3's verbose). */
  statements: string[];
}

/**
 * The stores on a real SQLite file (WAL, foreign keys on, as Hoist opens it),
 * a new one unless given; closed after the test.
 */
export async function openTracedStores(file = dbFile()): Promise<TracedStores> {
  const statements: string[] = [];
  const sqlite = new BetterSqlite3(file, { verbose: (sql) => statements.push(String(sql)) });
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  const stores = await storesOn(sqlite);
  open.push(stores.store);
  return { ...stores, sqlite, statements };
}

/** A bare database and the Migrator of Hoist's migrations on it, to move between versions. */
export interface MigratorOn {
  sqlite: BetterSqlite3.Database;
  migrator: Migrator;
  /** Closes the database before the test ends (also done after it). */
  close(): Promise<void>;
}

/** A Migrator on a real SQLite file, a new one unless given, with no migration run; closed after the test. */
export function migratorOn(file = dbFile()): MigratorOn {
  const sqlite = new BetterSqlite3(file);
  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  let closed: Promise<void> | undefined;
  const handle: MigratorOn = {
    sqlite,
    migrator: new Migrator({ db, provider: migrationProvider }),
    close: () => (closed ??= db.destroy()),
  };
  open.push(handle);
  return handle;
}

type NewServiceRecord = Parameters<Store['upsertService']>[0];

/** The record of a service seen now on engine `local`: compose shop/web unless overridden. */
export function addService(
  store: Store,
  clock: Clock,
  overrides: Partial<NewServiceRecord> = {},
): Promise<ServiceRecord> {
  return store.upsertService({
    id: randomUUID(),
    engineId: 'local',
    kind: 'compose',
    key: 'shop/web',
    name: 'shop-web',
    seenAt: clock.now().toISOString(),
    ...overrides,
  });
}

const SILENT: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * Which service is Hoist's own, as the domain learns it from `engine`: its
 * ownService, none by default (Hoist not in a container). detect() is the caller's.
 */
export function hoistItself(
  store: Store,
  clock: Clock,
  engine: FakeEngine = new FakeEngine(),
): HoistItself {
  return new HoistItself({ engine, store, engineId: 'local', clock, logger: SILENT });
}

/** WebhookHandlers on the store, its URLs under PUBLIC_URL; its catalog on an empty FakeEngine. */
export function newWebhookHandlers(store: Store, clock: Clock): WebhookHandlers {
  const engine = new FakeEngine();
  const itself = hoistItself(store, clock, engine);
  const catalog = new ServiceCatalog({ store, engine, engineId: 'local', clock, itself });
  return new WebhookHandlers({ store, catalog, clock, publicUrl: PUBLIC_URL });
}

/** The token of a handler URL `<PUBLIC_URL>/hooks/<token>`. */
export function hookToken(url: string): string {
  return url.slice(`${PUBLIC_URL}/hooks/`.length);
}
