import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Store } from '../ports/store.js';

const HOUR = 60 * 60 * 1000;

/** Deletes delivery records (handler and registry calls) older than the retention period, hourly. */
export class DeliveryRetention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: { store: Store; clock: Clock; logger: Logger; retentionDays: number },
  ) {}

  async prune(): Promise<number> {
    const { store, clock, retentionDays } = this.deps;
    const before = new Date(clock.now().getTime() - retentionDays * 24 * HOUR).toISOString();
    return store.pruneDeliveries(before);
  }

  start(): void {
    const run = () =>
      this.prune().then(
        (count) => count > 0 && this.deps.logger.info({ count }, 'pruned old deliveries'),
        (error: unknown) => this.deps.logger.error({ err: error }, 'could not prune deliveries'),
      );
    void run();
    this.timer = setInterval(run, HOUR);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
