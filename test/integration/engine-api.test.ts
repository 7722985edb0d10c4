/**
 * API reads that ask the engine, against the private test engine: engine
 * status, and service reads, which must never show a handler's secret URL.
 * What needs no engine is in test/http/ (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  buildAndPushTestImage,
  cleanupTestContainers,
  testEngineEnv,
} from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { tokenOf } from '../support/raw-http.js';
import {
  createWebhook,
  findService,
  runTestContainer,
  type ApiService,
} from '../support/scenario.js';

describe('API reads that ask the engine', () => {
  let server: TestServer;
  let service: ApiService;

  before(async () => {
    await cleanupTestContainers();
    server = await startTestServer();
    const image = await buildAndPushTestImage({
      repo: 'hoist-test/http-api',
      tag: 'latest',
      version: 'http-api v1',
    });
    await runTestContainer({ name: 'hoist-test-http-api', Image: image.ref, StopTimeout: 1 });
    service = await findService(server, 'hoist-test-http-api');
  });

  after(async () => {
    await server?.close();
    await cleanupTestContainers();
  });

  test('the test engine is reachable, in standalone mode', async () => {
    const { status, body } = await server.api<{
      engines: {
        id: string;
        host: string;
        reachable: boolean;
        mode: string | null;
        version: string | null;
        error: string | null;
      }[];
    }>('GET', '/api/v1/engines');
    assert.equal(status, 200);
    assert.equal(body.engines.length, 1);
    const [engine] = body.engines;
    assert.equal(engine?.reachable, true);
    assert.equal(engine?.mode, 'standalone');
    assert.equal(engine?.host, testEngineEnv().dockerHost);
    assert.ok(engine?.version);
    assert.equal(engine?.error, null);
  });

  test("service reads never show a handler's secret URL", async () => {
    const created = await createWebhook(server, service.id, 'docker hub');
    const token = tokenOf(created.url);
    const reads = await Promise.all([
      server.api('GET', `/api/v1/services/${service.id}`),
      server.api('GET', '/api/v1/services'),
    ]);
    for (const read of reads) {
      assert.equal(read.status, 200);
      const text = JSON.stringify(read.body);
      assert.ok(!text.includes(token), `the token shows in ${text.slice(0, 200)}`);
      assert.ok(!text.includes(token.slice(0, 20)), 'a long piece of the token shows');
    }
  });
});
