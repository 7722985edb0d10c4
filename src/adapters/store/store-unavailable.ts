import type { SqliteDatabase, SqliteStatement } from 'kysely';
import { HoistError } from '../../domain/errors.js';

/**
 * SQLite's answers for "the file cannot be written now": a full disk, a file
 * or directory made read-only, an I/O error, a lock held too long. They pass
 * when the disk or the file is fixed, so a caller should retry.
 * https://www.sqlite.org/rescode.html
 */
const UNAVAILABLE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|NOMEM|PROTOCOL)/;

/** Retry-After of a 503 for an unwritable store: long enough for someone to free the disk. */
const RETRY_AFTER_S = 30;

/**
 * The same error, or a store_unavailable HoistError (503) when SQLite could
 * not write its file. The message names SQLite's reason, never a value.
 */
export function storeUnavailable(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !UNAVAILABLE.test(code)) return error;
  const reason = error instanceof Error ? error.message : code;
  return new HoistError(
    'store_unavailable',
    `Hoist could not write to its database (${code}: ${reason}), so nothing was recorded. Retry later; whoever runs Hoist must free disk space or make the data directory writable.`,
    { cause: error, retryAfterSeconds: RETRY_AFTER_S },
  );
}

/**
 * The connection as Kysely sees it, with every statement's SQLite error passed
 * through storeUnavailable: any store write on a full disk, in a transaction
 * or not, reaches the HTTP layer as a 503 rather than a 500.
 */
export function withStoreUnavailable(database: SqliteDatabase): SqliteDatabase {
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return fn(...args);
      } catch (error) {
        throw storeUnavailable(error);
      }
    };
  return {
    close: () => database.close(),
    prepare: guard((sql: string): SqliteStatement => {
      const statement = database.prepare(sql);
      return {
        reader: statement.reader,
        all: guard((parameters) => statement.all(parameters)),
        run: guard((parameters) => statement.run(parameters)),
        iterate: guard((parameters) => statement.iterate(parameters)),
      };
    }),
  };
}
