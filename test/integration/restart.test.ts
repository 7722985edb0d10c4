/**
 * Restarting Hoist on the same data directory, against the private test
 * engine: the admin token, service ids and handler URLs survive, and a handler
 * URL redeploys after the restart.
 */
import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { rawRequest, tokenOf } from '../support/raw-http.js';
import {
  createWebhook,
  findService,
  runTestContainer,
  waitForActionEnd,
  type ApiService,
} from '../support/scenario.js';
import { countRows } from '../support/sqlite-rows.js';
import {
  buildAndPushTestImage,
  cleanupTestContainers,
  freePort,
  testEngineEnv,
} from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** A server started with startServer on an existing data directory, with its log captured. */
async function startServerOn(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ running: RunningServer; url: string; logs: () => string }> {
  const port = await freePort();
  const config = loadConfig({
    HOIST_PORT: String(port),
    HOIST_HOST: '127.0.0.1',
    HOIST_PUBLIC_URL: `http://127.0.0.1:${port}`,
    HOIST_DATA_DIR: dataDir,
    DOCKER_HOST: testEngineEnv().dockerHost,
    HOIST_MONITOR_SECONDS: '1',
    ...env,
  });
  let logs = '';
  const sink = new PassThrough();
  sink.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
  const running = await startServer(config, { logDestination: sink });
  return { running, url: `http://127.0.0.1:${port}`, logs: () => logs };
}

describe('restarting Hoist on the same data directory', () => {
  let first: TestServer;
  let dataDir: string;
  let second: Awaited<ReturnType<typeof startServerOn>> | undefined;

  before(async () => {
    await cleanupTestContainers();
    first = await startTestServer();
    dataDir = first.dataDir;
  });

  after(async () => {
    await second?.running.close();
    await first?.server.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await cleanupTestContainers();
  });

  test('keeps the admin token file, its mode and the token; keeps service ids and handlers', async () => {
    const tokenFile = path.join(dataDir, 'initial-admin-token');
    const before = await stat(tokenFile);
    assert.equal(before.mode & 0o777, 0o600, `mode ${(before.mode & 0o777).toString(8)}`);
    const content = await readFile(tokenFile, 'utf8');
    assert.equal(content.trim(), first.token);
    assert.match(first.token, /^hoist_[A-Za-z0-9_-]{43,}$/);

    const v1 = await buildAndPushTestImage({
      repo: 'hoist-test/http-stable',
      tag: 'latest',
      version: 'stable v1',
    });
    await runTestContainer({ name: 'hoist-test-http-stable', Image: v1.ref, StopTimeout: 1 });
    const service = await findService(first, 'hoist-test-http-stable');
    const handler = await createWebhook(first, service.id, 'survives');

    await first.server.close();
    second = await startServerOn(dataDir);
    const api = async <T>(method: string, route: string, token = first.token) => {
      const response = await fetch(second!.url + route, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
      return { status: response.status, body: (await response.json()) as T };
    };

    const after = await stat(tokenFile);
    assert.equal(await readFile(tokenFile, 'utf8'), content, 'the token file is unchanged');
    assert.equal(after.mode & 0o777, 0o600);
    assert.equal(after.mtimeMs, before.mtimeMs, 'the token file was not rewritten');
    assert.equal(countRows(dataDir, 'SELECT count(*) AS n FROM api_tokens'), 1, 'no second token');
    assert.equal((await api('GET', '/api/v1/engines')).status, 200, 'the old token still works');

    const listed = await api<{ services: ApiService[] }>('GET', '/api/v1/services');
    const again = listed.body.services.find((s) => s.name === 'hoist-test-http-stable');
    assert.equal(again?.id, service.id, 'the service keeps its id across a restart');
    const hooks = await api<{ webhooks: { id: string }[] }>(
      'GET',
      `/api/v1/services/${service.id}/webhooks`,
    );
    assert.deepEqual(
      hooks.body.webhooks.map((w) => w.id),
      [handler.webhook.id],
    );
    const call = await rawRequest(`${second.url}/hooks/${tokenOf(handler.url)}`);
    assert.equal(call.status, 202, 'the handler URL still works after the restart');
    const enqueued = JSON.parse(call.text) as { action: { id: string } };
    const action = await waitForActionEnd(
      { api: (method, route) => api(method, route) },
      enqueued.action.id,
    );
    assert.equal(action.state, 'Success', JSON.stringify(action.log));
    assert.ok(!second.logs().includes(first.token));
  });
});
