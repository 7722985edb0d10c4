import { systemClock, type Clock } from '../clock.js';

export const DEFAULT_UNKNOWN_TOKEN_LIMIT_PER_MINUTE = 60;
/** Addresses remembered at once; beyond it the least recently seen are forgotten. */
export const DEFAULT_MAX_TRACKED_ADDRESSES = 10_000;

export type LimitVerdict = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Counts unknown-token answers per client address so the token space cannot be
 * scanned: a token bucket of `limitPerMinute` that refills continuously. Unknown
 * and revoked tokens go through the same limiter. Memory is bounded: the least
 * recently seen address is evicted once `maxAddresses` are tracked, and full
 * buckets are not kept at all.
 */
export class UnknownTokenLimiter {
  readonly #capacity: number;
  readonly #perMs: number;
  readonly #maxAddresses: number;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    options: {
      limitPerMinute?: number;
      maxAddresses?: number;
      clock?: Pick<Clock, 'now'>;
    } = {},
  ) {
    this.#capacity = options.limitPerMinute ?? DEFAULT_UNKNOWN_TOKEN_LIMIT_PER_MINUTE;
    this.#perMs = this.#capacity / 60_000;
    this.#maxAddresses = Math.max(1, options.maxAddresses ?? DEFAULT_MAX_TRACKED_ADDRESSES);
    this.#clock = options.clock ?? systemClock;
  }

  /** How many addresses are remembered now (for tests of the memory bound). */
  get trackedAddresses(): number {
    return this.#buckets.size;
  }

  /** Whether an address that just presented an unknown token is already over its limit. */
  check(address: string): LimitVerdict {
    const now = this.#clock.now().getTime();
    const bucket = this.#refilled(address, now);
    if (bucket.tokens >= 1) return { allowed: true };
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.#perMs / 1000));
    return { allowed: false, retryAfterSeconds };
  }

  /** Spends one unknown-token answer for the address. */
  record(address: string): void {
    const now = this.#clock.now().getTime();
    const bucket = this.#refilled(address, now);
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.#buckets.delete(address);
    this.#buckets.set(address, bucket);
    while (this.#buckets.size > this.#maxAddresses) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest === undefined) break;
      this.#buckets.delete(oldest);
    }
  }

  #refilled(address: string, now: number): Bucket {
    const bucket = this.#buckets.get(address);
    if (!bucket) return { tokens: this.#capacity, at: now };
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.#capacity, bucket.tokens + elapsed * this.#perMs);
    bucket.at = now;
    if (bucket.tokens >= this.#capacity) this.#buckets.delete(address);
    return bucket;
  }
}
