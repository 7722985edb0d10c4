/**
 * A handler's call counter (callCount, lastCalledAt), kept apart from its row.
 *
 * Updating the handler's row on every call wrote a page of the webhooks table
 * that no other call in the same commit shared once there were many handlers:
 * with 10,000 services x 3 handlers, that one update was about 6 of the 14 KiB
 * a call wrote to the WAL and its checkpoints. So a call only appends a row to
 * webhook_calls (no index: consecutive rows share a page), and the rows are
 * folded into webhooks.call_count and last_called_at, in the writer's
 * transaction, once there are FOLD_AT of them: the handlers' pages are then
 * written once for many calls. A handler read for the API adds the rows not
 * yet folded (a scan of at most FOLD_AT short rows).
 */
import type { WebhookRow } from './database.js';

/** How many unfolded calls trigger a fold; also the most a read scans. */
export const FOLD_AT = 25_000;

/**
 * Adds every unfolded call to its handler's count and latest time (UPDATE ...
 * FROM, SQLite 3.33 and later), then empties the log. Times are ISO-8601
 * UTC text, so the later one is the greater string.
 */
export const FOLD_CALLS_SQL = [
  `update webhooks set
    call_count = call_count + c.n,
    last_called_at = case when last_called_at is null or last_called_at < c.last then c.last else last_called_at end
  from (select webhook_id, count(*) as n, max(at) as last from webhook_calls group by webhook_id) as c
  where webhooks.id = c.webhook_id`,
  'delete from webhook_calls',
] as const;

/** One handler's unfolded calls, as KyselyStore reads them from the log. */
export interface UnfoldedCalls {
  webhook_id: string;
  n: number;
  last: string;
}

/** A handler's row with its unfolded calls added. */
export function withUnfoldedCalls(
  row: WebhookRow,
  unfolded: ReadonlyMap<string, UnfoldedCalls>,
): WebhookRow {
  const calls = unfolded.get(row.id);
  if (!calls) return row;
  const last = row.last_called_at;
  return {
    ...row,
    call_count: Number(row.call_count) + Number(calls.n),
    last_called_at: last === null || last < calls.last ? calls.last : last,
  };
}
