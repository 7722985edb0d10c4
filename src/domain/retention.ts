import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

const HOUR = 60 * 60 * 1000;

/** Deletes records older than a retention period: once at start, then hourly. */
export class Retention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      clock: Clock;
      logger: Logger;
      retentionDays: number;
      /** What is pruned, for the log: "deliveries", "audit events". */
      what: string;
      /** Deletes what is older than `before` (an ISO time); returns how many. */
      prune: (before: string) => Promise<number>;
    },
  ) {}

  prune(): Promise<number> {
    const { clock, retentionDays } = this.deps;
    return this.deps.prune(
      new Date(clock.now().getTime() - retentionDays * 24 * HOUR).toISOString(),
    );
  }

  start(): void {
    const { logger, what } = this.deps;
    const run = () =>
      this.prune().then(
        (count) => count > 0 && logger.info({ count }, `pruned old ${what}`),
        (error: unknown) => logger.error({ err: error }, `could not prune ${what}`),
      );
    void run();
    this.timer = setInterval(run, HOUR);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
