import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { EngineUnavailableError, HoistError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Engine } from '../ports/engine.js';
import type { Store } from '../ports/store.js';

/**
 * Hoist's own service, when Hoist runs as a container (or a Swarm service) on
 * the engine it manages. Replacing, scaling or removing it would stop the
 * process doing it half way, so nothing does (a handler call, a registry push,
 * an API request, the worker) unless the user allowed it on that service
 * (allowSelfRedeploy).
 *
 * The engine says which service that is (findOwnService); its answer is kept
 * for the life of the process. While the engine cannot answer, detect() asks
 * again on its next call, and nothing is taken for Hoist's own. After any
 * other error (warned once) nothing is protected until Hoist restarts.
 */
export class HoistItself {
  #serviceId: string | null = null;
  #settled = false;
  #attempt: Promise<void> | null = null;

  constructor(
    private readonly deps: {
      engine: Pick<Engine, 'findOwnService'>;
      store: Pick<Store, 'upsertService'>;
      engineId: string;
      clock: Clock;
      logger: Logger;
    },
  ) {}

  /**
   * Asks the engine once it can answer; later calls return at once. Callers that come
   * while an attempt is in flight (every listing does) share it. Never throws.
   */
  detect(): Promise<void> {
    if (this.#settled) return Promise.resolve();
    this.#attempt ??= this.#ask().finally(() => {
      this.#attempt = null;
    });
    return this.#attempt;
  }

  async #ask(): Promise<void> {
    const { engine, store, engineId, clock, logger } = this.deps;
    try {
      const own = await engine.findOwnService();
      if (own) {
        // Its record, made now when no listing has shown the service yet.
        const record = await store.upsertService({
          id: randomUUID(),
          engineId,
          kind: own.kind,
          key: own.key,
          name: own.name,
          seenAt: isoNow(clock),
        });
        this.#serviceId = record.id;
        logger.info(
          { serviceId: record.id, service: own.name, container: own.containerId },
          'Hoist runs in a container of this engine: its own service is protected',
        );
      }
      this.#settled = true;
    } catch (error) {
      if (error instanceof EngineUnavailableError) return;
      // Any other failure is not expected to pass: asking again at every listing would only
      // repeat the warning. Nothing is protected until Hoist restarts.
      this.#settled = true;
      logger.warn({ err: error }, 'could not find out whether Hoist runs in a container here');
    }
  }

  /** Whether the service is the one Hoist runs in. */
  is(serviceId: string): boolean {
    return serviceId === this.#serviceId;
  }

  /**
   * Why this service must be left alone, or null when it may be acted on. The
   * service's record is read only when it is Hoist's own.
   */
  async refusal(
    store: Pick<Store, 'getService'>,
    serviceId: string,
    doing: string,
  ): Promise<string | null> {
    if (!this.is(serviceId)) return null;
    const record = await store.getService(serviceId);
    if (!record || record.allowSelfRedeploy) return null;
    return `${record.name} is Hoist itself: ${doing} it would stop Hoist half way, so Hoist does not. To allow it anyway, set allowSelfRedeploy on this service (PATCH /api/v1/services/${serviceId}, or hoist service update ${record.name} --allow-self-redeploy).`;
  }

  /** Throws service_is_hoist when the service must be left alone. */
  async guard(store: Pick<Store, 'getService'>, serviceId: string, doing: string): Promise<void> {
    const reason = await this.refusal(store, serviceId, doing);
    if (reason) throw new HoistError('service_is_hoist', reason);
  }
}
