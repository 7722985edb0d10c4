import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { apiRequest } from './api-request.js';
import { freePort, testEngineEnv } from './test-engine.js';

export interface TestServer {
  url: string;
  token: string;
  dataDir: string;
  server: RunningServer;
  /** Everything the server logged so far. */
  logs(): string;
  api<T = unknown>(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/**
 * A real Hoist server on a random port, a fresh data dir (or HOIST_DATA_DIR
 * from env; close() empties it), and the private test engine.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const { dockerHost } = testEngineEnv();
  const dataDir = env.HOIST_DATA_DIR ?? (await mkdtemp(path.join(tmpdir(), 'hoist-data-')));
  const port = await freePort();
  const config = loadConfig({
    HOIST_PORT: String(port),
    HOIST_PUBLIC_URL: `http://127.0.0.1:${port}`,
    HOIST_HOST: '127.0.0.1',
    HOIST_DATA_DIR: dataDir,
    DOCKER_HOST: dockerHost,
    HOIST_MONITOR_SECONDS: '1',
    HOIST_HEALTH_TIMEOUT_SECONDS: '20',
    ...env,
  });
  let logs = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
  const server = await startServer(config, { logDestination: sink });
  const url = `http://127.0.0.1:${port}`;
  const token = (await readFile(path.join(dataDir, 'initial-admin-token'), 'utf8')).trim();
  return {
    url,
    token,
    dataDir,
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
