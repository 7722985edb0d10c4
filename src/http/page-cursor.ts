/**
 * The `before` cursor of paged lists and the `next` URL that carries it. The
 * cursor is opaque to clients: base64url of the JSON [time, id] of the last
 * item of the page before (domain/paging.ts). A cursor that does not decode to
 * that shape is refused, so a hand-made or truncated one never reads a wrong
 * page silently.
 */
import type { FastifyRequest } from 'fastify';
import { HoistError } from '../domain/errors.js';
import type { Position } from '../domain/paging.js';

/** The times the store writes (toISOString) and the ids it makes (UUIDs). */
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.at, position.id])).toString('base64url');
}

/** The position a `before` cursor names; undefined (the newest page) when there is none. */
export function decodeCursor(cursor: string | undefined): Position | undefined {
  if (cursor === undefined) return undefined;
  let decoded: unknown = null;
  if (/^[A-Za-z0-9_-]+$/.test(cursor)) {
    try {
      decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      // Refused below, as every other cursor this server did not make.
    }
  }
  if (
    Array.isArray(decoded) &&
    decoded.length === 2 &&
    typeof decoded[0] === 'string' &&
    typeof decoded[1] === 'string' &&
    TIME.test(decoded[0]) &&
    !Number.isNaN(Date.parse(decoded[0])) &&
    ID.test(decoded[1])
  ) {
    return { at: decoded[0], id: decoded[1] };
  }
  throw new HoistError(
    'bad_request',
    'The before cursor is not one this server issued: follow the next URL of the page before, or leave before out to start at the newest.',
  );
}

/**
 * The relative URL of the page after this one: the request's own path and query (its
 * filters and limit) with `before` set to the cursor of `next`; null on the last page.
 */
export function nextPageUrl(request: FastifyRequest, next: Position | null): string | null {
  if (next === null) return null;
  const url = new URL(request.url, 'http://hoist.invalid');
  url.searchParams.set('before', encodeCursor(next));
  return url.pathname + url.search;
}
