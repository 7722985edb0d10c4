import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { HoistError } from '../errors.js';
import type { Engine, NewService, PortSpec, VolumeSpec } from '../ports/engine.js';
import type { Store } from '../ports/store.js';
import { HOIST_SERVICE_LABEL, type ServiceCatalog } from './service-catalog.js';
import type { Service } from './service.js';
import type { HoistItself } from './hoist-itself.js';
import { randomUUID } from 'node:crypto';

export interface CreateServiceInput {
  name: string;
  image: string;
  replicas?: number;
  env?: Record<string, string>;
  ports?: (Omit<PortSpec, 'protocol'> & { protocol?: PortSpec['protocol'] })[];
  volumes?: VolumeSpec[];
  networks?: string[];
  restartPolicy?: NewService['restartPolicy'];
  labels?: Record<string, string>;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/**
 * Services Hoist creates and deletes: a Swarm service on a swarm engine,
 * labelled containers (`io.hoist.service`, named `name-1`, `name-2`, ...) on a
 * standalone one. Hoist deletes only what carries its label.
 */
export class ServiceProvisioning {
  constructor(
    private readonly deps: {
      store: Store;
      engine: Engine;
      catalog: ServiceCatalog;
      engineId: string;
      clock: Clock;
      itself: HoistItself;
    },
  ) {}

  async create(input: CreateServiceInput): Promise<Service> {
    const { engine, store, engineId, clock, catalog } = this.deps;
    const spec = validate(input);
    const { mode } = await engine.info();
    const taken = (await engine.listServices()).find(
      (s) => s.labels[HOIST_SERVICE_LABEL] === spec.name || s.name === spec.name,
    );
    if (taken) {
      throw new HoistError(
        'service_exists',
        `A service named "${spec.name}" already exists on this engine. Pick another name.`,
      );
    }

    if (mode !== 'swarm' && spec.replicas > 1 && spec.ports.length > 0) {
      throw new HoistError(
        'bad_request',
        'On a standalone engine two containers cannot publish the same host port: create it with replicas 1, or without ports (put a proxy in front), or on a Swarm engine.',
      );
    }
    if (mode !== 'swarm' && spec.replicas < 1) {
      throw new HoistError(
        'bad_request',
        'A standalone service starts with at least one container (replicas >= 1): later ones are copies of it.',
      );
    }
    let key: string;
    if (mode === 'swarm') {
      key = await engine.createSwarmService(spec);
    } else {
      key = spec.name;
      await engine.pullImage(spec.image);
      const made: string[] = [];
      try {
        for (let i = 1; i <= spec.replicas; i++) {
          const id = await engine.createServiceContainer(spec, `${spec.name}-${i}`);
          made.push(id);
          await engine.startContainer(id);
        }
      } catch (error) {
        // All or nothing: a half-created service would block its own name.
        for (const id of made) await engine.removeContainer(id, { volumes: true }).catch(() => {});
        throw error;
      }
    }
    const record = await store.upsertService({
      id: randomUUID(),
      engineId,
      kind: mode === 'swarm' ? 'swarm' : 'hoist',
      key,
      name: spec.name,
      seenAt: isoNow(clock),
    });
    return catalog.get(record.id);
  }

  async remove(id: string): Promise<void> {
    const { engine, store, catalog, itself } = this.deps;
    const record = await catalog.record(id);
    await itself.guard(store, id, 'removing');
    const found = await engine.getService(record);
    if (!found) {
      throw new HoistError(
        'service_not_found',
        `Service ${id} (${record.name}) is no longer on the engine: there is nothing to delete.`,
      );
    }
    if (found.labels[HOIST_SERVICE_LABEL] === undefined) {
      throw new HoistError(
        'service_not_owned',
        `Hoist did not create ${found.name} (it has no ${HOIST_SERVICE_LABEL} label), so it will not delete it. Remove it with docker or docker compose.`,
      );
    }
    const busy = await store.listActions({ serviceId: id, state: 'In progress', limit: 1 });
    if (busy.length > 0) {
      throw new HoistError(
        'service_busy',
        `${found.name} has an action in progress (${busy[0]?.id}); delete it once that ends.`,
      );
    }
    if (found.kind === 'swarm') {
      await engine.removeSwarmService(found.key);
    } else {
      for (const container of found.containers) {
        await engine.removeContainer(container.id, { volumes: true });
      }
    }
  }
}

function validate(input: CreateServiceInput): NewService {
  const name = input.name.trim();
  if (!NAME.test(name)) {
    throw new HoistError(
      'bad_request',
      'A service name is 1 to 63 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
    );
  }
  const image = input.image.trim();
  if (!image || /\s/.test(image)) {
    throw new HoistError(
      'bad_request',
      'image is an image reference such as registry.example.com/app:1.2.',
    );
  }
  const replicas = input.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0 || replicas > 100) {
    throw new HoistError('bad_request', 'replicas is a whole number from 0 to 100.');
  }
  for (const port of input.ports ?? []) {
    for (const value of [port.published, port.target]) {
      if (!Number.isInteger(value) || value < 1 || value > 65535) {
        throw new HoistError('bad_request', `Port ${value} is not a port number (1 to 65535).`);
      }
    }
  }
  for (const volume of input.volumes ?? []) {
    if (!volume.target.startsWith('/')) {
      throw new HoistError(
        'bad_request',
        `Volume target "${volume.target}" must be an absolute path.`,
      );
    }
  }
  return {
    name,
    image,
    replicas,
    env: input.env ?? {},
    ports: (input.ports ?? []).map((p) => ({ ...p, protocol: p.protocol ?? 'tcp' })),
    volumes: input.volumes ?? [],
    networks: input.networks ?? [],
    restartPolicy: input.restartPolicy ?? 'unless-stopped',
    labels: input.labels ?? {},
  };
}
