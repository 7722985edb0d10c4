import { useState } from 'react';
import { asApiError, type ApiError } from '../api/client';
import type { Loaded } from './use-load';
import { ErrorNote } from './status';

/** What a paged list shows: the items of the pages loaded so far, and where the next page is. */
export interface Pages<T> {
  items: T[];
  next: string | null;
}

interface LoadMoreProps<T extends { id: string }> {
  list: Loaded<Pages<T>>;
  /** Fetches the page a `next` path names. */
  fetchPage: (next: string) => Promise<Pages<T>>;
  /** Orders the items once a page is added (live updates may already hold some of them). */
  order?: (a: T, b: T) => number;
}

/**
 * "Load more" under a paged list, while the API says more exist: appends the
 * next page to what is shown. An item already shown (added live) is not shown
 * twice. A page that answers after the list was loaded again is dropped: it
 * continues a list no longer shown.
 */
export function LoadMore<T extends { id: string }>({ list, fetchPage, order }: LoadMoreProps<T>) {
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<ApiError>();
  const next = list.data?.next;
  if (!next) return null;

  const more = async () => {
    setLoading(true);
    try {
      const page = await fetchPage(next);
      list.setData((current) => {
        if (!current || current.next !== next) return current;
        const shown = new Set(current.items.map((item) => item.id));
        const items = [...current.items, ...page.items.filter((item) => !shown.has(item.id))];
        return { items: order ? items.sort(order) : items, next: page.next };
      });
      setError(undefined);
    } catch (reason) {
      setError(asApiError(reason));
    } finally {
      setLoading(false);
    }
  };

  return (
    <div className="load-more">
      {error && <ErrorNote error={error} onRetry={more} />}
      <button type="button" onClick={more} disabled={loading} aria-busy={loading}>
        Load more
      </button>
    </div>
  );
}
