import type { FastifyBaseLogger } from 'fastify';

/**
 * Calls to unknown secret URLs refused with 429 are not access-logged one by
 * one: a scanner's flood would cost a log line per call and drown the log.
 * They are counted per client address instead, and once a minute each address
 * gets one line: "refused N unknown-token calls from ADDR". Only addresses the
 * unknown-token limiter refuses are counted, so the map holds no more keys
 * than the limiter tracks, and it is emptied every minute.
 */
export class RefusalSummary {
  readonly #counts = new Map<string, number>();
  readonly #timer: NodeJS.Timeout;

  constructor(private readonly logger: FastifyBaseLogger) {
    this.#timer = setInterval(() => this.#flush(), 60_000).unref();
  }

  count(address: string): void {
    this.#counts.set(address, (this.#counts.get(address) ?? 0) + 1);
  }

  /** One line per address counted since the last line. */
  #flush(): void {
    for (const [address, refused] of this.#counts) {
      this.logger.warn(
        { address, refused },
        `refused ${refused} unknown-token calls from ${address}`,
      );
    }
    this.#counts.clear();
  }

  /** Stops the minute timer and logs what was counted since the last line. */
  close(): void {
    clearInterval(this.#timer);
    this.#flush();
  }
}
