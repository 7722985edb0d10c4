import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { HoistError } from '../errors.js';
import type { DiscoveredService, Engine } from '../ports/engine.js';
import type { Store } from '../ports/store.js';
import type { Service, ServiceRecord } from './service.js';
import { parseImageReference } from '../image-reference.js';
import type { HoistItself } from './hoist-itself.js';

/** What PATCH /api/v1/services/{id} changes; what is left out stays as it is. */
export interface ServiceSettings {
  autoredeploy?: boolean;
  allowSelfRedeploy?: boolean;
}

export interface ServiceQuery {
  /** Case-insensitive substring of the name or image reference. */
  q?: string;
}

/**
 * Services are what the engine groups right now, each given a UUID that Hoist
 * keeps in its store, keyed by (engine, kind, key): the same UUID after a
 * redeploy (same compose labels or name) and after Hoist restarts.
 */
export class ServiceCatalog {
  constructor(
    private readonly deps: {
      store: Store;
      engine: Engine;
      engineId: string;
      clock: Clock;
      itself: HoistItself;
    },
  ) {}

  async list(query: ServiceQuery = {}): Promise<Service[]> {
    const { store, engine, engineId, clock, itself } = this.deps;
    await itself.detect();
    const discovered = await engine.listServices();
    const seenAt = isoNow(clock);
    const needle = query.q?.trim().toLowerCase();
    // One read of what is stored; refresh() writes only a service that is new or changed.
    const stored = new Map(
      (await store.listServices(engineId)).map((r) => [recordKey(r.kind, r.key), r]),
    );
    const services: Service[] = [];
    for (const found of discovered) {
      if (
        needle &&
        !found.name.toLowerCase().includes(needle) &&
        !found.imageRef.toLowerCase().includes(needle)
      ) {
        continue;
      }
      const record = await this.refresh(
        stored.get(recordKey(found.kind, found.key)),
        found,
        seenAt,
      );
      services.push(toService(record, found, itself.is(record.id)));
    }
    return services.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The stored record; throws service_not_found. Does not talk to the engine. */
  async record(id: string): Promise<ServiceRecord> {
    const record = await this.deps.store.getService(id);
    if (!record) {
      throw new HoistError(
        'service_not_found',
        `No service has id ${id}. List services with GET /api/v1/services to find its id.`,
      );
    }
    return record;
  }

  /**
   * autoredeploy (Tutum's): a registry endpoint's report of a push of its repo:tag redeploys
   * it. allowSelfRedeploy: Hoist's own service may be acted on (hoist-itself.ts).
   */
  async update(id: string, settings: ServiceSettings): Promise<Service> {
    // Read first: an engine that cannot answer fails the request before anything is saved.
    const service = await this.get(id);
    const { autoredeploy, allowSelfRedeploy } = settings;
    await this.deps.store.updateServiceSettings(id, { autoredeploy, allowSelfRedeploy });
    return {
      ...service,
      autoredeploy: autoredeploy ?? service.autoredeploy,
      allowSelfRedeploy: allowSelfRedeploy ?? service.allowSelfRedeploy,
    };
  }

  async get(id: string): Promise<Service> {
    const { engine, clock, itself } = this.deps;
    const record = await this.record(id);
    await itself.detect();
    const found = await engine.getService(record);
    const self = itself.is(id);
    if (!found) return toService(record, null, self);
    return toService(await this.refresh(record, found, isoNow(clock)), found, self);
  }

  /**
   * The stored record brought in line with what the engine shows. It is written (name,
   * image, digest and lastSeenAt) only when the service is new or one of those changed, so
   * reads that change nothing (the web UI polls the listing) do not write.
   */
  private async refresh(
    known: ServiceRecord | undefined,
    found: DiscoveredService,
    seenAt: string,
  ): Promise<ServiceRecord> {
    const digest = runningDigest(found);
    if (
      known &&
      known.name === found.name &&
      known.imageRef === found.imageRef &&
      known.digest === digest
    ) {
      return known;
    }
    // The known record's own row, whatever engine id it was stored under.
    return this.deps.store.upsertService({
      id: known?.id ?? randomUUID(),
      engineId: known?.engineId ?? this.deps.engineId,
      kind: found.kind,
      key: found.key,
      name: found.name,
      seenAt,
      imageRef: found.imageRef,
      digest,
    });
  }
}

function recordKey(kind: string, key: string): string {
  return `${kind}\u0000${key}`;
}

/** Hoist writes it on every service it creates; its presence is the proof of ownership. */
export const HOIST_SERVICE_LABEL = 'io.hoist.service';

/** A Swarm service runs the digest its spec is pinned to; containers, the one they report. */
function runningDigest(found: DiscoveredService): string | null {
  return found.swarm
    ? parseImageReference(found.imageRef).digest
    : (found.containers.find((c) => c.digest)?.digest ?? null);
}

function toService(record: ServiceRecord, found: DiscoveredService | null, self: boolean): Service {
  return {
    id: record.id,
    engineId: record.engineId,
    kind: record.kind,
    name: found?.name ?? record.name,
    imageRef: found?.imageRef ?? '',
    digest: found ? runningDigest(found) : null,
    autoredeploy: record.autoredeploy,
    self,
    allowSelfRedeploy: record.allowSelfRedeploy,
    present: found !== null && (found.kind === 'swarm' || found.containers.length > 0),
    createdByHoist: found?.labels[HOIST_SERVICE_LABEL] !== undefined,
    containers: found?.containers ?? [],
    swarm: found?.swarm ?? null,
  };
}
