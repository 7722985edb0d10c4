import { useCallback, useEffect, useState } from 'react';
import { asApiError, type ApiError } from '../api/client';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** Loads again, keeping what is shown until the answer arrives. */
  reload: () => void;
  /** Changes what is shown without a request (a live update). */
  setData: (update: (current: T | undefined) => T | undefined) => void;
}

/** Runs `load` (a stable callback: wrap it in useCallback) on mount, when it changes, and on reload(). */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [round, setRound] = useState(0);
  // Which load and round answered last: loading until it is this one.
  const [settled, setSettled] = useState<{ load: unknown; round: number }>();

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
        setSettled({ load, round });
      },
      (reason: unknown) => {
        if (controller.signal.aborted) return;
        setError(asApiError(reason));
        setSettled({ load, round });
      },
    );
    return () => controller.abort();
  }, [load, round]);

  const reload = useCallback(() => setRound((n) => n + 1), []);
  const loading = settled?.load !== load || settled.round !== round;
  return { data, error, loading, reload, setData };
}
