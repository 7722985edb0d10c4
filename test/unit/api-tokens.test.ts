/**
 * API tokens record their last use on a real SQLite store: written on the first use, then at
 * most once a minute, without the request waiting for the write.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiTokens, LAST_USED_RESOLUTION_MS } from '../../src/domain/auth/api-tokens.js';
import { Users } from '../../src/domain/auth/users.js';
import { FakeClock } from '../support/fake-engine.js';
import { openStore } from '../support/unit-fixture.js';

/** authenticate does not wait for its write of last use: let the one in flight land. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

/** ApiTokens on a real store, with its first token. */
async function setup() {
  const clock = new FakeClock();
  const store = await openStore();
  const tokens = new ApiTokens({ store, clock });
  const initial = await new Users({ store, clock, tokens }).ensureInitialAdmin();
  const secret = initial.token ?? assert.fail('no initial token');
  const all = () => store.listApiTokens();
  const lastUsed = async () => (await all())[0]?.lastUsedAt;
  return {
    tokens,
    all,
    clock,
    secret,
    lastUsed,
    use: () => tokens.authenticate(`Bearer ${secret}`),
  };
}

describe('ApiTokens last use', () => {
  it('is null until the token is used, then the time of its first use', async () => {
    const { all, clock, use } = await setup();
    assert.equal((await all())[0]?.lastUsedAt, null);
    const first = clock.now().toISOString();
    await use();
    await settle();
    assert.equal((await all())[0]?.lastUsedAt, first);
  });

  it('is written at most once a minute however often the token is used', async () => {
    const { clock, lastUsed, use } = await setup();
    const first = clock.now().toISOString();
    await use();
    for (let i = 0; i < 59; i++) {
      clock.advance(1000);
      await use();
      await settle();
    }
    assert.equal(await lastUsed(), first, '59 uses within a minute of the first: not written');
    clock.advance(LAST_USED_RESOLUTION_MS - 59_000);
    const minuteLater = clock.now().toISOString();
    await use();
    await settle();
    clock.advance(1000);
    await use();
    await settle();
    assert.equal(await lastUsed(), minuteLater, 'written a minute after the first use, once');
  });

  it('lists tokens without their secret or hash', async () => {
    const { tokens, secret, use } = await setup();
    const listed = JSON.stringify(await tokens.list(await use()));
    assert.ok(!listed.includes(secret), 'the token is not listed');
    assert.doesNotMatch(listed, /hash/i);
    assert.match(listed, /"tokenPrefix":"hoist_/);
  });
});
