/**
 * Users, roles and scoped API tokens on a real SQLite store: what a role lets a
 * token hold, what a token may make, expiry, the header forms Tutum's clients
 * send, sign-in limits, the last admin, and a data directory from before
 * accounts (its token keeps working, owned by `admin`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storesOn } from '../../src/adapters/store/open-store.js';
import { ApiTokens } from '../../src/domain/auth/api-tokens.js';
import { SIGN_IN_FAILURES_PER_MINUTE, Users } from '../../src/domain/auth/users.js';
import { isHoistError } from '../../src/domain/errors.js';
import { FakeClock } from '../support/fake-engine.js';
import { migratorOn, openStore } from '../support/unit-fixture.js';

const PASSWORD = 'a long enough password';

async function setup() {
  const clock = new FakeClock();
  const store = await openStore();
  const tokens = new ApiTokens({ store, clock });
  const users = new Users({ store, clock, tokens });
  const initial = await users.ensureInitialAdmin();
  const admin = await tokens.authenticate(`Bearer ${initial.token ?? assert.fail('no token')}`);
  /** A user of `role` and a token with everything the role allows. */
  const member = async (username: string, role: 'operator' | 'viewer' | 'admin') => {
    const { user } = await users.create({ username, role, password: PASSWORD });
    const { secret } = await tokens.create(user, { name: 'all' });
    return { user, secret, principal: await tokens.authenticate(`Bearer ${secret}`) };
  };
  return { clock, store, tokens, users, initial, admin, member };
}

const code = (expected: string) => (error: unknown) =>
  isHoistError(error) && error.code === expected;

describe('accounts', () => {
  it('starts with the user admin, a password and an admin token with every scope', async () => {
    const { initial, admin, users } = await setup();
    assert.ok(initial.password && initial.password.length >= 20);
    assert.equal(admin.user.username, 'admin');
    assert.deepEqual(admin.scopes, ['read', 'deploy', 'manage', 'admin']);
    assert.deepEqual(await users.ensureInitialAdmin(), { password: null, token: null });
    const signedIn = await users.signIn(
      { username: 'admin', password: initial.password },
      '10.0.0.1',
    );
    assert.equal(signedIn.user.username, 'admin');
  });

  it('gives a token no more than its role allows, nor more than the token that asks', async () => {
    const { tokens, member } = await setup();
    const viewer = await member('vera', 'viewer');
    assert.deepEqual(viewer.principal.scopes, ['read']);
    await assert.rejects(
      tokens.create(viewer.user, { name: 'x', scopes: ['deploy'] }),
      (e: unknown) =>
        code('forbidden')(e) && /viewer cannot hold a token with deploy/.test(String(e)),
    );
    const operator = await member('otto', 'operator');
    const { secret } = await tokens.create(operator.user, { name: 'ci', scopes: ['deploy'] });
    const ci = await tokens.authenticate(`Bearer ${secret}`);
    await assert.rejects(
      tokens.create(operator.user, { name: 'more', scopes: ['manage'] }, ci),
      code('forbidden'),
      'a deploy token cannot make a manage token',
    );
  });

  it('narrows a token at once when its owner loses a role, and refuses it once expired', async () => {
    const { clock, tokens, users, member } = await setup();
    const operator = await member('otto', 'operator');
    await users.update(operator.user.id, { role: 'viewer' });
    assert.deepEqual((await tokens.authenticate(`Bearer ${operator.secret}`)).scopes, ['read']);

    const { secret } = await tokens.create(operator.user, { name: 'day', expiresInDays: 1 });
    await tokens.authenticate(`Bearer ${secret}`);
    clock.advance(86_400_000);
    await assert.rejects(tokens.authenticate(`Bearer ${secret}`), code('unauthorized'));
  });

  it("takes Basic and ApiKey with the owner's username, and nobody else's", async () => {
    const { tokens, member } = await setup();
    const { secret } = await member('otto', 'operator');
    const basic = (pair: string) => `Basic ${Buffer.from(pair).toString('base64')}`;
    assert.equal((await tokens.authenticate(basic(`otto:${secret}`))).user.username, 'otto');
    assert.equal((await tokens.authenticate(`ApiKey otto:${secret}`)).user.username, 'otto');
    for (const header of [
      basic(`admin:${secret}`),
      `ApiKey admin:${secret}`,
      basic(`otto:`),
      basic(secret),
    ]) {
      await assert.rejects(tokens.authenticate(header), code('unauthorized'), header);
    }
  });

  it('revokes at once; a user revokes only their own tokens unless admin', async () => {
    const { tokens, admin, member } = await setup();
    const otto = await member('otto', 'operator');
    const vera = await member('vera', 'viewer');
    await assert.rejects(tokens.revoke(vera.principal, otto.principal.token.id), code('not_found'));
    assert.equal((await tokens.list(vera.principal)).length, 1, 'vera sees only hers');
    await assert.rejects(tokens.list(vera.principal, true), code('forbidden'));
    assert.equal((await tokens.list(admin, true)).length, 3);
    await tokens.revoke(admin, otto.principal.token.id);
    await assert.rejects(tokens.authenticate(`Bearer ${otto.secret}`), code('unauthorized'));
  });

  it('limits failed sign-ins per username without saying whether it exists', async () => {
    const { users, clock } = await setup();
    await users.create({ username: 'otto', role: 'operator', password: PASSWORD });
    const messages = new Set<string>();
    for (const username of ['otto', 'nobody']) {
      await users
        .signIn({ username, password: 'wrong password!' }, `10.0.0.${username.length}`)
        .catch((e: unknown) => messages.add(`${(e as Error).message}`));
    }
    assert.equal(messages.size, 1, 'the same answer for a wrong password and an unknown user');
    for (let i = 1; i < SIGN_IN_FAILURES_PER_MINUTE.username; i++) {
      await assert.rejects(users.signIn({ username: 'otto', password: 'wrong' }, `10.1.0.${i}`));
    }
    await assert.rejects(
      users.signIn({ username: 'otto', password: PASSWORD }, '10.2.0.1'),
      (e: unknown) => code('rate_limited')(e),
      'even the right password waits once the username is over its limit',
    );
    clock.advance(60_000);
    assert.equal(
      (await users.signIn({ username: 'otto', password: PASSWORD }, '10.2.0.1')).user.username,
      'otto',
    );
  });

  it('keeps one admin: the last cannot be demoted or removed', async () => {
    const { users, admin, member } = await setup();
    await assert.rejects(users.update(admin.user.id, { role: 'operator' }), code('last_admin'));
    await assert.rejects(users.remove(admin.user.id), code('last_admin'));
    await member('ada', 'admin');
    await users.update(admin.user.id, { role: 'operator' });
  });

  it('refuses short passwords and odd usernames, and a taken username', async () => {
    const { users } = await setup();
    await assert.rejects(
      users.create({ username: 'x', role: 'viewer', password: 'short' }),
      code('bad_request'),
    );
    await assert.rejects(users.create({ username: 'a b', role: 'viewer' }), code('bad_request'));
    await assert.rejects(
      users.create({ username: 'admin', role: 'viewer' }),
      code('username_taken'),
    );
    const made = await users.create({ username: 'gen', role: 'viewer' });
    assert.ok(made.password && made.password.length >= 20, 'a generated password, shown once');
  });

  it('gives the tokens of a data directory from before accounts to admin, and a password at the next start', async () => {
    const { sqlite, migrator } = migratorOn();
    assert.equal((await migrator.migrateTo('0009_allow_self_redeploy')).error, undefined);
    const { hashSecretToken } = await import('../../src/domain/secret-token.js');
    sqlite
      .prepare(
        "insert into api_tokens (id, name, token_prefix, token_hash, created_at) values ('00000000-0000-4000-8000-000000000001', 'admin', 'hoist_abcd', ?, '2025-01-01T00:00:00.000Z')",
      )
      .run(hashSecretToken('hoist_old-token'));
    assert.equal((await migrator.migrateToLatest()).error, undefined);
    const { store } = await storesOn(sqlite);
    const clock = new FakeClock();
    const tokens = new ApiTokens({ store, clock });
    const old = await tokens.authenticate('Bearer hoist_old-token');
    assert.equal(old.user.username, 'admin');
    assert.deepEqual(old.scopes, ['read', 'deploy', 'manage', 'admin']);
    const users = new Users({ store, clock, tokens });
    const initial = await users.ensureInitialAdmin();
    assert.equal(initial.token, null, 'no second admin token');
    assert.ok(initial.password);
    await users.signIn({ username: 'admin', password: initial.password }, '10.0.0.1');
  });
});
