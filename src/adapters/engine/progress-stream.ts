import { translateError, unavailableError } from './docker-errors.js';

/** One line of a JSON-lines progress stream (pull, push, build). */
export interface ProgressEvent {
  status?: string;
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Digest?: string; ID?: string };
}

/** Reads a JSON-lines progress stream (pull, push, build) to its end. */
export function readProgress(
  stream: NodeJS.ReadableStream,
  what: string,
  dockerHost: string,
): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    const events: ProgressEvent[] = [];
    let buffered = '';
    let settled = false;
    const take = (line: string) => {
      const trimmed = line.trim();
      if (!trimmed) return;
      try {
        events.push(JSON.parse(trimmed) as ProgressEvent);
      } catch {
        events.push({ stream: trimmed });
      }
    };
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        take(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
    });
    stream.on('end', () => {
      if (settled) return;
      settled = true;
      take(buffered);
      resolve(events);
    });
    stream.on('error', (error: unknown) => {
      if (settled) return;
      settled = true;
      reject(translateError(error, what, dockerHost));
    });
    stream.on('close', () => {
      if (settled) return;
      settled = true;
      take(buffered);
      // A stream closed without 'end' lost the daemon half way.
      if (events.some((e) => e.error || e.errorDetail)) resolve(events);
      else
        reject(
          unavailableError(dockerHost, what, 'the connection closed before the daemon finished'),
        );
    });
  });
}
