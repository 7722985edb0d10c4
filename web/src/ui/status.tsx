import type { ReactNode } from 'react';
import type { ApiError } from '../api/client';

export function Loading({ what }: { what: string }) {
  return (
    <p className="note" role="status">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="note empty">{children}</p>;
}

const TITLES: Record<string, string> = {
  engine_unavailable: 'The Docker engine does not answer',
  engine_error: 'The Docker engine refused the request',
  network: 'Hoist does not answer',
  store_unavailable: 'Hoist cannot read its database',
};

/** An API error in words, with the API's own message (it says what to do) and a retry. */
export function ErrorNote({ error, onRetry }: { error: ApiError; onRetry?: () => void }) {
  return (
    <div className="error-note" role="alert">
      <p>
        <strong>{TITLES[error.code] ?? 'Something went wrong'}</strong>
      </p>
      <p>{error.message}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
