import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { HoistError } from '../errors.js';
import type { Store } from '../ports/store.js';
import { generateSecretToken, hashSecretToken, tokenPrefix } from '../secret-token.js';
import { allows, effectiveScopes, scopesOfRole, type Scope } from './access.js';
import type { ApiToken } from './api-token.js';
import type { Principal } from './principal.js';
import type { User } from './user.js';

/** API tokens carry a recognizable prefix so secret scanners and people can tell them apart. */
const API_TOKEN_PREFIX = 'hoist_';

/** A token's last use is written at most this often: a busy CI token costs one write a minute. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** The longest a token may be made to last, in days; without an expiry it lasts until revoked. */
export const MAX_TOKEN_DAYS = 3650;

export interface NewToken {
  name: string;
  /** Default: every scope the owner's role allows. */
  scopes?: Scope[];
  /** Days until it expires; none: until revoked. */
  expiresInDays?: number;
}

const UNAUTHORIZED_HELP =
  'Send "Authorization: Bearer <token>" (or Basic or ApiKey with your username and a token). The first admin token is in <data dir>/initial-admin-token.';

export class ApiTokens {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  /** Makes a token for `owner`; returns it with the secret, the only time it exists in clear. */
  async create(
    owner: User,
    request: NewToken,
    /** Who asks: a token can make tokens with its own scopes at most. */
    asker?: Principal,
    store: Store = this.deps.store,
  ): Promise<{ token: ApiToken; secret: string }> {
    const roleScopes = scopesOfRole(owner.role);
    const scopes = request.scopes ?? [...roleScopes];
    if (scopes.length === 0) {
      throw new HoistError(
        'bad_request',
        'A token needs at least one scope: read, deploy, manage or admin.',
      );
    }
    const beyondRole = scopes.filter((s) => !roleScopes.includes(s));
    if (beyondRole.length > 0) {
      throw new HoistError(
        'forbidden',
        `A ${owner.role} cannot hold a token with ${beyondRole.join(', ')}: the role allows ${roleScopes.join(', ')}.`,
      );
    }
    if (asker) {
      const beyondAsker = scopes.filter((s) => !allows(asker.scopes, s));
      if (beyondAsker.length > 0) {
        throw new HoistError(
          'forbidden',
          `This token cannot make a token with ${beyondAsker.join(', ')}: it has only ${asker.scopes.join(', ')}.`,
        );
      }
    }
    const days = request.expiresInDays;
    if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= MAX_TOKEN_DAYS)) {
      throw new HoistError(
        'bad_request',
        `expiresInDays must be a whole number of days from 1 to ${MAX_TOKEN_DAYS}; leave it out for a token that lasts until revoked.`,
      );
    }
    const now = this.deps.clock.now();
    const secret = generateSecretToken(API_TOKEN_PREFIX);
    const token: ApiToken = {
      id: randomUUID(),
      name: request.name,
      userId: owner.id,
      scopes: [...new Set(scopes)],
      tokenPrefix: tokenPrefix(secret, API_TOKEN_PREFIX.length + 4),
      createdAt: now.toISOString(),
      expiresAt:
        days === undefined ? null : new Date(now.getTime() + days * 86_400_000).toISOString(),
      lastUsedAt: null,
    };
    await store.insertApiToken({ ...token, tokenHash: hashSecretToken(secret) });
    return { token, secret };
  }

  /** A user's own tokens, or with `all` (admins) everyone's, oldest first; never a secret. */
  async list(principal: Principal, all = false): Promise<ApiToken[]> {
    if (all && !allows(principal.scopes, 'admin')) {
      throw new HoistError(
        'forbidden',
        "Only the admin scope lists everyone's tokens; leave out ?all to list yours.",
      );
    }
    return this.deps.store.listApiTokens(all ? undefined : principal.user.id);
  }

  /** Revokes one of the principal's tokens, or (admin scope) anyone's. Takes effect at once. */
  async revoke(principal: Principal, id: string): Promise<void> {
    const token = await this.deps.store.getApiToken(id);
    if (!token || (token.userId !== principal.user.id && !allows(principal.scopes, 'admin'))) {
      throw new HoistError(
        'not_found',
        `No API token ${id} of yours; list them with GET /api/v1/tokens.`,
      );
    }
    await this.deps.store.deleteApiToken(id);
  }

  /**
   * Resolves an `Authorization` header to who sends it: `Bearer <token>`, or for Tutum's
   * clients `Basic base64(<username>:<token>)` and `ApiKey <username>:<token>`, where the
   * username must own the token. Throws unauthorized, saying nothing of which part was wrong.
   */
  async authenticate(header: string | undefined): Promise<Principal> {
    const given = credentialsOf(header);
    if (given === null) {
      throw new HoistError('unauthorized', `This route needs an API token. ${UNAUTHORIZED_HELP}`);
    }
    const token = await this.deps.store.findApiTokenByHash(hashSecretToken(given.token));
    const user = token ? await this.deps.store.getUser(token.userId) : null;
    const now = this.deps.clock.now().getTime();
    if (
      !token ||
      !user ||
      (given.username !== null && given.username !== user.username) ||
      (token.expiresAt !== null && Date.parse(token.expiresAt) <= now)
    ) {
      throw new HoistError(
        'unauthorized',
        `This API token is not valid: unknown, revoked, expired, or not the given user's. ${UNAUTHORIZED_HELP}`,
      );
    }
    this.#noteUse(token);
    return { user, token, scopes: effectiveScopes(token.scopes, user.role) };
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

/**
 * A token and, for the Basic and ApiKey forms Tutum's clients send, the username that
 * must own it; null when the header holds none of the three forms.
 */
export function credentialsOf(
  header: string | undefined,
): { username: string | null; token: string } | null {
  const bearer = bearerToken(header);
  if (bearer !== null) return { username: null, token: bearer };
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '')?.[1];
  const pair = basic
    ? Buffer.from(basic, 'base64').toString('utf8')
    : /^ApiKey\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  const colon = pair?.indexOf(':') ?? -1;
  if (!pair || colon <= 0 || colon === pair.length - 1) return null;
  return { username: pair.slice(0, colon), token: pair.slice(colon + 1) };
}
