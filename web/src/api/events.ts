import { useEffect, useRef, useState } from 'react';
import { reportUnauthorized, session } from './client';
import type { Action } from './types';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';

interface FollowOptions {
  service?: string;
  onAction: (action: Action) => void;
  onStatus: (status: StreamStatus) => void;
  /** After a broken stream is back: events may have been missed, reload what they would have changed. */
  onResume: () => void;
}

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 15_000;

/**
 * Follows GET /api/v1/events (server-sent events). EventSource cannot send
 * the bearer token, so this reads the stream with fetch() and parses the
 * `event:`/`data:` lines itself. Reconnects with backoff until stopped;
 * returns the function that stops it.
 */
function followActions(options: FollowOptions): () => void {
  const controller = new AbortController();
  const { signal } = controller;
  const url = `/api/v1/events${options.service ? `?service=${encodeURIComponent(options.service)}` : ''}`;

  const run = async () => {
    let delay = RETRY_MIN_MS;
    let connectedBefore = false;
    while (!signal.aborted) {
      options.onStatus(connectedBefore ? 'reconnecting' : 'connecting');
      try {
        const response = await fetch(url, {
          headers: {
            authorization: `Bearer ${session.token() ?? ''}`,
            accept: 'text/event-stream',
          },
          signal,
          cache: 'no-store',
        });
        if (response.status === 401) {
          const body = (await response.json().catch(() => null)) as {
            error?: { message?: string };
          } | null;
          // Stopped meanwhile (another 401 already signed out): nothing to report.
          if (!signal.aborted) {
            reportUnauthorized(body?.error?.message ?? 'The API token was refused.');
          }
          return;
        }
        if (response.ok && response.body) {
          options.onStatus('live');
          if (connectedBefore) options.onResume();
          connectedBefore = true;
          delay = RETRY_MIN_MS;
          await readEvents(response.body, (event, data) => {
            if (event === 'action') options.onAction(JSON.parse(data) as Action);
          });
        }
      } catch {
        // Network error or abort: retried below unless stopped.
      }
      if (signal.aborted) return;
      options.onStatus('reconnecting');
      await sleep(delay, signal);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  };
  void run();
  return () => controller.abort();
}

/** Parses a text/event-stream body: messages end with a blank line; `:` lines are comments. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: string, data: string) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    const messages = buffer.split(/\r?\n\r?\n/);
    buffer = messages.pop() ?? '';
    for (const message of messages) {
      let event = 'message';
      const data: string[] = [];
      for (const line of message.split(/\r?\n/)) {
        if (line.startsWith(':')) continue;
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = text;
        else if (field === 'data') data.push(text);
      }
      if (data.length > 0) onEvent(event, data.join('\n'));
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Calls `onAction` for every action event (of one service, when given) while
 * the component is mounted; `onResume` after a reconnect. Returns the
 * stream's status, for a "live" indicator.
 */
export function useActionEvents(
  service: string | undefined,
  onAction: (action: Action) => void,
  onResume: () => void,
): StreamStatus {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const handlers = useRef({ onAction, onResume });
  useEffect(() => {
    handlers.current = { onAction, onResume };
  });
  useEffect(
    () =>
      followActions({
        ...(service ? { service } : {}),
        onAction: (action) => handlers.current.onAction(action),
        onResume: () => handlers.current.onResume(),
        onStatus: setStatus,
      }),
    [service],
  );
  return status;
}
