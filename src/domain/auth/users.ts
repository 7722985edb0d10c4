import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { HoistError, RateLimitedError } from '../errors.js';
import type { Store } from '../ports/store.js';
import { RateLimiter } from '../rate-limiter.js';
import type { Role } from './access.js';
import type { ApiTokens } from './api-tokens.js';
import {
  generatePassword,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  verifyPassword,
} from './passwords.js';
import type { Principal } from './principal.js';
import type { User } from './user.js';

/** The user a new data directory starts with. */
export const INITIAL_ADMIN = 'admin';

/** Letters, digits and . _ - (so a username fits in Basic and ApiKey headers and in URLs). */
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Failed sign-ins allowed a minute, per username and per client address, before 429. */
export const SIGN_IN_FAILURES_PER_MINUTE = { username: 5, address: 20 } as const;

const BAD_SIGN_IN = 'The username or password is wrong.';

export class Users {
  readonly #byUsername: RateLimiter;
  readonly #byAddress: RateLimiter;

  constructor(private readonly deps: { store: Store; clock: Clock; tokens: ApiTokens }) {
    this.#byUsername = new RateLimiter({
      limitPerMinute: SIGN_IN_FAILURES_PER_MINUTE.username,
      clock: deps.clock,
    });
    this.#byAddress = new RateLimiter({
      limitPerMinute: SIGN_IN_FAILURES_PER_MINUTE.address,
      clock: deps.clock,
    });
  }

  /**
   * On a new data directory: the user `admin` with a password and an API token. On one
   * migrated from before accounts: the `admin` its tokens were given, without a password
   * until now. Returns what was made (shown once by the caller), nulls when nothing was.
   */
  async ensureInitialAdmin(): Promise<{ password: string | null; token: string | null }> {
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    return this.deps.store.transaction(async (tx) => {
      const users = await tx.listUsers();
      const now = this.deps.clock.now().toISOString();
      if (users.length === 0) {
        const admin: User = {
          id: randomUUID(),
          username: INITIAL_ADMIN,
          role: 'admin',
          createdAt: now,
          passwordSetAt: now,
        };
        await tx.insertUser({ ...admin, passwordHash });
        const { secret } = await this.deps.tokens.create(admin, { name: 'admin' }, undefined, tx);
        return { password, token: secret };
      }
      const migrated = users.find((u) => u.username === INITIAL_ADMIN && u.passwordSetAt === null);
      if (!migrated) return { password: null, token: null };
      await tx.updateUser(migrated.id, { passwordHash, passwordSetAt: now });
      return { password, token: null };
    });
  }

  list(): Promise<User[]> {
    return this.deps.store.listUsers();
  }

  async get(id: string): Promise<User> {
    const user = await this.deps.store.getUser(id);
    if (!user) throw notFound(id);
    return user;
  }

  /** Creates a user; without a password one is generated and returned, the only time it is shown. */
  async create(request: {
    username: string;
    role: Role;
    password?: string;
  }): Promise<{ user: User; password: string | null }> {
    if (!USERNAME.test(request.username)) {
      throw new HoistError(
        'bad_request',
        'A username is 1 to 64 letters, digits, dots, underscores or dashes, starting with a letter or digit.',
      );
    }
    const password = request.password ?? generatePassword();
    checkPassword(password);
    const passwordHash = await hashPassword(password);
    const now = this.deps.clock.now().toISOString();
    const user: User = {
      id: randomUUID(),
      username: request.username,
      role: request.role,
      createdAt: now,
      passwordSetAt: now,
    };
    await this.deps.store.transaction(async (tx) => {
      if (await tx.findUserByUsername(user.username)) {
        throw new HoistError(
          'username_taken',
          `There is already a user ${user.username}; pick another username.`,
        );
      }
      await tx.insertUser({ ...user, passwordHash });
    });
    return { user, password: request.password === undefined ? password : null };
  }

  /** Changes a user's role or sets their password (admins). The last admin stays an admin. */
  async update(id: string, patch: { role?: Role; password?: string }): Promise<User> {
    const passwordHash =
      patch.password === undefined ? undefined : await hashPassword(checkPassword(patch.password));
    return this.deps.store.transaction(async (tx) => {
      const user = await tx.getUser(id);
      if (!user) throw notFound(id);
      if (patch.role !== undefined && patch.role !== 'admin' && user.role === 'admin') {
        await this.#keepAnAdmin(tx, user, 'demote');
      }
      await tx.updateUser(id, {
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(passwordHash !== undefined
          ? { passwordHash, passwordSetAt: this.deps.clock.now().toISOString() }
          : {}),
      });
      return { ...user, ...(patch.role !== undefined ? { role: patch.role } : {}) };
    });
  }

  /** Removes a user and their tokens. The last admin cannot be removed. */
  async remove(id: string): Promise<void> {
    await this.deps.store.transaction(async (tx) => {
      const user = await tx.getUser(id);
      if (!user) throw notFound(id);
      if (user.role === 'admin') await this.#keepAnAdmin(tx, user, 'remove');
      await tx.deleteUser(id);
    });
  }

  /**
   * Sets a user's password by username, for `hoist server reset-password` (run where the
   * data directory is, so whoever runs it can already read everything). Without a
   * password one is generated; returns the one set.
   */
  async resetPassword(username: string, password?: string): Promise<string> {
    const found = await this.deps.store.findUserByUsername(username);
    if (!found) {
      const known = (await this.deps.store.listUsers()).map((u) => u.username).join(', ');
      throw new HoistError('not_found', `No user ${username}; the users are: ${known || 'none'}.`);
    }
    const next = password ?? generatePassword();
    await this.update(found.user.id, { password: next });
    return next;
  }

  /** A user changes their own password, proving the current one. */
  async changeOwnPassword(principal: Principal, current: string, next: string): Promise<void> {
    const found = await this.deps.store.findUserByUsername(principal.user.username);
    if (!found || !(await verifyPassword(current, found.passwordHash))) {
      throw new HoistError('forbidden', 'The current password is wrong; nothing was changed.');
    }
    await this.update(principal.user.id, { password: next });
  }

  /**
   * Signs a user in with their password and makes a token for the session (the CLI's
   * `hoist login`). Failures are limited per username and per client address; the answer
   * never says whether the username exists.
   */
  async signIn(
    request: { username: string; password: string; tokenName?: string },
    address: string,
  ): Promise<{ user: User; secret: string }> {
    for (const [limiter, key] of [
      [this.#byUsername, request.username],
      [this.#byAddress, address],
    ] as const) {
      const verdict = limiter.check(key);
      if (!verdict.allowed) {
        throw new RateLimitedError(
          `Too many failed sign-ins; retry after ${verdict.retryAfterSeconds} s.`,
          verdict.retryAfterSeconds,
        );
      }
    }
    const found =
      request.password.length <= MAX_PASSWORD_LENGTH
        ? await this.deps.store.findUserByUsername(request.username)
        : null;
    // An unknown username costs a hash too (verifyPassword), so its answer takes as long.
    const ok = await verifyPassword(
      request.password.slice(0, MAX_PASSWORD_LENGTH),
      found?.passwordHash ?? null,
    );
    if (!found || !ok) {
      this.#byUsername.record(request.username);
      this.#byAddress.record(address);
      throw new HoistError('unauthorized', BAD_SIGN_IN);
    }
    const { secret } = await this.deps.tokens.create(found.user, {
      name: request.tokenName ?? `sign-in ${this.deps.clock.now().toISOString().slice(0, 16)}`,
    });
    return { user: found.user, secret };
  }

  async #keepAnAdmin(tx: Store, user: User, what: 'demote' | 'remove'): Promise<void> {
    const admins = (await tx.listUsers()).filter((u) => u.role === 'admin');
    if (admins.length <= 1) {
      throw new HoistError(
        'last_admin',
        `${user.username} is the last admin; make another user an admin before you ${what} them.`,
      );
    }
  }
}

/** The password rules; returns the password. */
function checkPassword(password: string): string {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new HoistError(
      'bad_request',
      `A password is ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters; a longer one is easier to keep than a complicated one.`,
    );
  }
  return password;
}

function notFound(id: string): HoistError {
  return new HoistError('not_found', `No user ${id}; list them with GET /api/v1/users.`);
}
