import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { HoistError } from '../errors.js';
import { readPage, type Page, type Position } from '../paging.js';
import type { Store } from '../ports/store.js';
import { generateSecretToken, hashSecretToken, tokenPrefix } from '../secret-token.js';
import type { Registry, RegistryCall } from './registry.js';

const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$/u;

/** Creating, listing and revoking registry endpoints. */
export class Registries {
  constructor(private readonly deps: { store: Store; clock: Clock; publicUrl: string }) {}

  /** The URL holds the secret: returned once, never stored. */
  async create(name: string): Promise<{ registry: Registry; url: string }> {
    const trimmed = name.trim();
    if (!NAME.test(trimmed)) {
      throw new HoistError(
        'bad_request',
        'A registry endpoint name is 1 to 64 letters, digits, spaces, dots, dashes or underscores.',
      );
    }
    const token = generateSecretToken();
    const registry: Registry = {
      id: randomUUID(),
      name: trimmed,
      tokenPrefix: tokenPrefix(token),
      createdAt: isoNow(this.deps.clock),
      revokedAt: null,
    };
    await this.deps.store.insertRegistry({ ...registry, tokenHash: hashSecretToken(token) });
    return { registry, url: `${this.deps.publicUrl}/registry-events/${token}` };
  }

  list(): Promise<Registry[]> {
    return this.deps.store.listRegistries();
  }

  async get(id: string): Promise<Registry> {
    const registry = await this.deps.store.getRegistry(id);
    if (!registry) {
      throw new HoistError(
        'not_found',
        `No registry endpoint has id ${id}. List them with GET /api/v1/registries.`,
      );
    }
    return registry;
  }

  async revoke(id: string): Promise<void> {
    await this.get(id);
    await this.deps.store.revokeRegistry(id, isoNow(this.deps.clock));
  }

  /** A page of the endpoint's calls, newest first (paging.ts). */
  async calls(id: string, limit: number, before?: Position): Promise<Page<RegistryCall>> {
    await this.get(id);
    return readPage(
      limit,
      before,
      (n, from) => this.deps.store.listRegistryCalls(id, n, from),
      (call) => ({ at: call.receivedAt, id: call.id }),
    );
  }
}
