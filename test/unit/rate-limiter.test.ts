import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RateLimiter } from '../../src/domain/rate-limiter.js';
import { FakeClock } from '../support/fake-engine.js';

function spend(limiter: RateLimiter, address: string, times: number) {
  for (let i = 0; i < times; i++) {
    assert.deepEqual(limiter.check(address), { allowed: true }, `call ${i + 1}`);
    limiter.record(address);
  }
}

test('the 61st unknown-token answer within a minute is refused with a retry time', () => {
  const clock = new FakeClock();
  const limiter = new RateLimiter({ clock });
  spend(limiter, '10.0.0.1', 60);
  const verdict = limiter.check('10.0.0.1');
  assert.equal(verdict.allowed, false);
  assert.ok(!verdict.allowed && verdict.retryAfterSeconds >= 1 && verdict.retryAfterSeconds <= 60);
});

test('addresses are counted apart', () => {
  const limiter = new RateLimiter({ clock: new FakeClock(), limitPerMinute: 2 });
  spend(limiter, 'a', 2);
  assert.equal(limiter.check('a').allowed, false);
  assert.equal(limiter.check('b').allowed, true);
});

test('the bucket refills with time: one more call per 60/limit seconds', () => {
  const clock = new FakeClock();
  const limiter = new RateLimiter({ clock, limitPerMinute: 6 });
  spend(limiter, 'a', 6);
  const refused = limiter.check('a');
  assert.deepEqual(refused, { allowed: false, retryAfterSeconds: 10 });
  clock.advance(9_999);
  assert.equal(limiter.check('a').allowed, false);
  clock.advance(1);
  assert.equal(limiter.check('a').allowed, true);
  limiter.record('a');
  assert.equal(limiter.check('a').allowed, false);
  clock.advance(60_000);
  spend(limiter, 'a', 6);
  assert.equal(limiter.check('a').allowed, false);
});

test('memory is bounded: the least recently seen addresses are forgotten, full buckets not kept', () => {
  const clock = new FakeClock();
  const limiter = new RateLimiter({ clock, limitPerMinute: 1, maxKeys: 100 });
  for (let i = 0; i < 10_000; i++) limiter.record(`10.0.${i >> 8}.${i & 255}`);
  assert.equal(limiter.trackedKeys, 100);
  assert.equal(limiter.check('10.0.39.15').allowed, false, 'the most recent is still limited');
  assert.equal(limiter.check('10.0.0.0').allowed, true, 'the oldest was forgotten');
  clock.advance(60_000);
  limiter.check('10.0.39.15');
  assert.equal(limiter.trackedKeys, 99, 'a refilled bucket is dropped');
});

test('a limit given per call: each handler has its own, counted apart', () => {
  const clock = new FakeClock();
  const limiter = new RateLimiter({ clock });
  for (let i = 0; i < 3; i++) assert.equal(limiter.take('handler-a', 3).allowed, true);
  assert.deepEqual(limiter.take('handler-a', 3), { allowed: false, retryAfterSeconds: 20 });
  assert.equal(limiter.take('handler-b', 100).allowed, true);
  clock.advance(20_000);
  assert.equal(limiter.take('handler-a', 3).allowed, true, 'one call back after 60/3 s');
  assert.equal(limiter.take('handler-a', 3).allowed, false);
});
