/**
 * A server whose engine does not exist (the socket of test/helper.ts): it
 * starts, says so in its log and in GET /api/v1/engines, refuses what needs
 * the engine with 503, and answers what needs only the store. No Docker.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestApp, unreachableDockerHost, type TestApp } from '../helper.js';
import type { ErrorBody } from '../support/api-bodies.js';

describe('a server whose engine does not exist', () => {
  let server: TestApp;
  const dockerHost = unreachableDockerHost();
  const socket = dockerHost.slice('unix://'.length);

  before(async () => {
    server = await startTestApp({ DOCKER_HOST: dockerHost });
  });

  after(async () => {
    await server?.close();
  });

  test('starts, is healthy, and says in its log that the engine is unreachable', async () => {
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    assert.match(server.logs(), /engine unreachable/);
    assert.ok(server.logs().includes(socket));
  });

  test('GET /api/v1/engines names the socket and what to do', async () => {
    const { status, body } = await server.api<{
      engines: { reachable: boolean; mode: string | null; host: string; error: string | null }[];
    }>('GET', '/api/v1/engines');
    assert.equal(status, 200);
    const [engine] = body.engines;
    assert.equal(engine?.reachable, false);
    assert.equal(engine?.mode, null);
    assert.equal(engine?.host, `unix://${socket}`);
    assert.ok(engine?.error?.includes(socket), engine?.error ?? '');
    assert.match(engine?.error ?? '', /dockerd is running/);
    assert.match(engine?.error ?? '', /DOCKER_HOST/);
  });

  test('GET /api/v1/services answers 503 engine_unavailable with a helpful message', async () => {
    const { status, body } = await server.api<ErrorBody>('GET', '/api/v1/services');
    assert.equal(status, 503);
    assert.equal(body.error.code, 'engine_unavailable');
    assert.ok(body.error.message.includes(socket), body.error.message);
    assert.match(body.error.message, /dockerd is running/);
  });

  test('routes that need only the store still answer', async () => {
    assert.equal((await server.api('GET', '/api/v1/actions')).status, 200);
    const missing = await server.api<ErrorBody>(
      'POST',
      `/api/v1/services/${randomUUID()}/webhooks`,
      {
        name: 'ci',
      },
    );
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'service_not_found');
  });
});
