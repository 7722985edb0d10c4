import { systemClock, type Clock } from './clock.js';

/** Keys remembered at once; beyond it the least recently seen are forgotten. */
export const DEFAULT_MAX_TRACKED_KEYS = 10_000;

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (a client address, a handler) that refills
 * continuously: `limitPerMinute` calls at once, then one more every
 * 60/limitPerMinute seconds. The limit is the constructor's, or one given per
 * call (each handler has its own). Memory is bounded: the least recently seen
 * key is evicted once `maxKeys` are tracked, and full buckets are not kept.
 */
export class RateLimiter {
  readonly #limitPerMinute: number;
  readonly #maxKeys: number;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    options: { limitPerMinute?: number; maxKeys?: number; clock?: Pick<Clock, 'now'> } = {},
  ) {
    this.#limitPerMinute = options.limitPerMinute ?? 60;
    this.#maxKeys = Math.max(1, options.maxKeys ?? DEFAULT_MAX_TRACKED_KEYS);
    this.#clock = options.clock ?? systemClock;
  }

  /** How many keys are remembered now (for tests of the memory bound). */
  get trackedKeys(): number {
    return this.#buckets.size;
  }

  /** Whether one more call for the key is within its limit; spends nothing. */
  check(key: string, limitPerMinute = this.#limitPerMinute): LimitVerdict {
    const bucket = this.#refilled(key, limitPerMinute, this.#clock.now().getTime());
    if (bucket.tokens >= 1) return { allowed: true };
    const perSecond = limitPerMinute / 60;
    return {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)),
    };
  }

  /** Spends one call for the key. */
  record(key: string, limitPerMinute = this.#limitPerMinute): void {
    const bucket = this.#refilled(key, limitPerMinute, this.#clock.now().getTime());
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    while (this.#buckets.size > this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
  }

  /** check, and record when allowed. */
  take(key: string, limitPerMinute = this.#limitPerMinute): LimitVerdict {
    const verdict = this.check(key, limitPerMinute);
    if (verdict.allowed) this.record(key, limitPerMinute);
    return verdict;
  }

  #refilled(key: string, capacity: number, now: number): Bucket {
    const bucket = this.#buckets.get(key);
    if (!bucket) return { tokens: capacity, at: now };
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(capacity, bucket.tokens + (elapsed * capacity) / 60_000);
    bucket.at = now;
    if (bucket.tokens >= capacity) this.#buckets.delete(key);
    return bucket;
  }
}
