/** Reads of a server's SQLite file (<data dir>/hoist.sqlite), read-only, beside the running server. */
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';

/** Deliveries recorded for the calls whose User-Agent is `userAgent`, read from the SQLite file. */
export function deliveriesByUserAgent(
  dataDir: string,
  userAgent: string,
): { payload_kind: string; outcome: string; content_type: string | null; action_id: string }[] {
  const db = new BetterSqlite3(path.join(dataDir, 'hoist.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return db
      .prepare(
        'SELECT payload_kind, outcome, content_type, action_id FROM deliveries WHERE user_agent = ?',
      )
      .all(userAgent) as {
      payload_kind: string;
      outcome: string;
      content_type: string | null;
      action_id: string;
    }[];
  } finally {
    db.close();
  }
}

/** Every row of the webhooks table, as stored. */
export function webhookRows(dataDir: string): unknown[] {
  const db = new BetterSqlite3(path.join(dataDir, 'hoist.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return db.prepare('SELECT * FROM webhooks').all();
  } finally {
    db.close();
  }
}

export function countRows(dataDir: string, sql: string, ...params: unknown[]): number {
  const db = new BetterSqlite3(path.join(dataDir, 'hoist.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}
