import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { HoistError } from '../errors.js';
import type { Store } from '../ports/store.js';
import { generateSecretToken, hashSecretToken, tokenPrefix } from '../secret-token.js';
import type { ApiToken } from './api-token.js';

/** API tokens carry a recognizable prefix so secret scanners and people can tell them apart. */
const API_TOKEN_PREFIX = 'hoist_';

/** A token's last use is written at most this often: a busy CI token costs one write a minute. */
export const LAST_USED_RESOLUTION_MS = 60_000;

export class ApiTokens {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  /** Every token, oldest first (hashes never leave the store). */
  list(): Promise<ApiToken[]> {
    return this.deps.store.listApiTokens();
  }

  /** Creates the first admin token when the store has none; returns it (the only time it exists in clear). */
  async ensureInitialAdmin(): Promise<string | null> {
    return this.deps.store.transaction(async (tx) => {
      if ((await tx.countApiTokens()) > 0) return null;
      const token = generateSecretToken(API_TOKEN_PREFIX);
      await tx.insertApiToken({
        id: randomUUID(),
        name: 'admin',
        tokenHash: hashSecretToken(token),
        tokenPrefix: tokenPrefix(token, API_TOKEN_PREFIX.length + 4),
        createdAt: isoNow(this.deps.clock),
        lastUsedAt: null,
      });
      return token;
    });
  }

  /** Resolves an `Authorization` header to its token; throws unauthorized. */
  async authenticate(header: string | undefined): Promise<ApiToken> {
    const given = bearerToken(header);
    if (given === null) {
      throw new HoistError(
        'unauthorized',
        'This route needs an API token: send "Authorization: Bearer <token>". The first one is in <data dir>/initial-admin-token.',
      );
    }
    const token = await this.deps.store.findApiTokenByHash(hashSecretToken(given));
    if (!token) {
      throw new HoistError(
        'unauthorized',
        'This API token is not valid. Check it, or use the one in <data dir>/initial-admin-token.',
      );
    }
    this.#noteUse(token);
    return token;
  }

  /**
   * Records that the token was used, without making the request wait for the write: a
   * token's last use is for people reading the list, not worth a request's latency or its
   * failure (a full disk already answers 503 on the writes that matter).
   */
  #noteUse(token: ApiToken): void {
    const now = this.deps.clock.now().getTime();
    // The row was just read: its last use says when the last write landed. Requests that
    // arrive while a write is in flight may write too; that is a few writes a minute at most.
    if (token.lastUsedAt !== null && now - Date.parse(token.lastUsedAt) < LAST_USED_RESOLUTION_MS) {
      return;
    }
    this.deps.store.markApiTokenUsed(token.id, new Date(now).toISOString()).catch(() => {
      // Not worth failing or slowing a request for: the next use tries again.
    });
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1] ?? null;
}
