import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Store } from '../ports/store.js';
import { Retention } from '../retention.js';

/** Deletes delivery records (handler and registry calls) older than the retention period, hourly. */
export class DeliveryRetention extends Retention {
  constructor(deps: { store: Store; clock: Clock; logger: Logger; retentionDays: number }) {
    super({ ...deps, what: 'deliveries', prune: (before) => deps.store.pruneDeliveries(before) });
  }
}
