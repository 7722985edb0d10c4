import { useSyncExternalStore } from 'react';

/** One clock for every relative time on the page, ticking every 15 s. */
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const l of listeners) l();
  }, 15_000);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function formatAgo(iso: string, at: number): string {
  const seconds = Math.round((new Date(iso).getTime() - at) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 30 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day');
  return absolute.format(new Date(iso));
}

/** The shared clock's time: re-renders the caller on each tick. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}

/** "3 minutes ago", with the exact time on hover and for assistive technology. */
export function Time({ iso, empty = '—' }: { iso: string | null; empty?: string }) {
  const at = useNow();
  if (!iso) return <span className="muted">{empty}</span>;
  return (
    <time dateTime={iso} title={absolute.format(new Date(iso))}>
      {formatAgo(iso, at)}
    </time>
  );
}

/** How long from `from` to `to` (or `at`), in words: "12 s", "3 min 5 s". */
export function formatDuration(from: string, to: string | null, at: number): string {
  const ms = (to ? new Date(to).getTime() : at) - new Date(from).getTime();
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
