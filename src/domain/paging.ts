/**
 * Paging of the lists that grow (a handler's deliveries, a registry
 * endpoint's calls, actions). Each is ordered newest first by (time, id), and
 * a page starts just after a position, the (time, id) of the last item of the
 * page before, not at an offset: rows that arrive between two pages sort
 * before the first page and shift nothing, so following the pages to the end
 * gives every row once.
 */

/** The most items a page may hold. */
export const MAX_PAGE_LIMIT = 1000;

/** A place in a newest-first list: the time and id of an item. */
export interface Position {
  at: string;
  id: string;
}

/** One page of a list, and where the next one starts (null: this is the last). */
export interface Page<T> {
  items: T[];
  next: Position | null;
}

/**
 * Reads a page of at most `limit` items before `before` (from the newest when
 * undefined) through `read`, which lists items newest first. It asks for one
 * item more than the page holds: only when that one exists is there a next page.
 */
export async function readPage<T>(
  limit: number,
  before: Position | undefined,
  read: (limit: number, before: Position | undefined) => Promise<T[]>,
  positionOf: (item: T) => Position,
): Promise<Page<T>> {
  const rows = await read(limit + 1, before);
  if (rows.length <= limit) return { items: rows, next: null };
  const items = rows.slice(0, limit);
  return { items, next: positionOf(items[items.length - 1] as T) };
}
