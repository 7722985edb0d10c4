/**
 * A real Hoist server built in this process by the same startServer() that
 * `hoist server` runs (buildApp on the real wiring), on a fresh SQLite file in
 * a temporary data directory, listening on a free port of 127.0.0.1. Its engine
 * is a real DockerEngine pointed at a socket that does not exist, so the engine
 * is really down: tests of what does not touch Docker (auth, routing, limits,
 * validation, schemas, handler records) need no Docker and run in seconds.
 * Tests that need a service write its record straight into the store
 * (addStoredService). test/support/test-server.ts is the same server on the
 * private test engine.
 *
 *     const app = await startTestApp();
 *     after(() => app.close());
 *     const { status } = await app.api('GET', '/api/v1/actions');
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../src/config.js';
import type { Store } from '../src/domain/ports/store.js';
import type { ServiceRecord } from '../src/domain/services/service.js';
import { ENGINE_ID, startServer, type RunningServer } from '../src/server.js';
import { apiRequest } from './support/api-request.js';
import { freePort } from './support/test-engine.js';

export interface TestApp {
  /** http://127.0.0.1:PORT (https:// with HOIST_TLS_CERT_FILE), also the server's public URL. */
  url: string;
  /** The admin API token the server made on its first start. */
  token: string;
  dataDir: string;
  /** The store the server runs on. */
  store: Store;
  server: RunningServer;
  /** Everything the server logged so far. */
  logs(): string;
  /** One request with the admin token. */
  api<T = unknown>(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** Closes the server and removes its data directory. */
  close(): Promise<void>;
}

/**
 * The environment's values override the defaults (HOIST_DATA_DIR: an existing
 * directory, which close() removes; DOCKER_HOST: a real engine). Without
 * DOCKER_HOST the engine is unix://<a directory that does not exist>/docker.sock.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = env.HOIST_DATA_DIR ?? (await mkdtemp(path.join(tmpdir(), 'hoist-data-')));
  const port = await freePort();
  const url = `${env.HOIST_TLS_CERT_FILE ? 'https' : 'http'}://127.0.0.1:${port}`;
  const config = loadConfig({
    HOIST_PORT: String(port),
    HOIST_PUBLIC_URL: url,
    HOIST_HOST: '127.0.0.1',
    HOIST_DATA_DIR: dataDir,
    DOCKER_HOST: unreachableDockerHost(),
    ...env,
  });
  let logs = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
  const server = await startServer(config, { logDestination: sink });
  const token = (await readFile(path.join(dataDir, 'initial-admin-token'), 'utf8')).trim();
  return {
    url,
    token,
    dataDir,
    store: server.store,
    server,
    logs: () => logs,
    api: <T>(method: string, route: string, body?: unknown) =>
      apiRequest<T>(url, token, method, route, body),
    async close() {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A Docker host nothing answers on: a socket in a directory that does not exist. */
export function unreachableDockerHost(): string {
  return `unix://${path.join(tmpdir(), `hoist-no-engine-${randomUUID()}`, 'docker.sock')}`;
}

/**
 * A container service as the catalog would have stored it once the engine had
 * listed it, written straight into the store.
 */
export function addStoredService(store: Store, name: string): Promise<ServiceRecord> {
  return store.upsertService({
    id: randomUUID(),
    engineId: ENGINE_ID,
    kind: 'container',
    key: name,
    name,
    seenAt: new Date().toISOString(),
    imageRef: `registry.test/${name}:latest`,
    digest: null,
  });
}
