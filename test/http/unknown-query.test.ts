/**
 * Query parameters: every /api/v1 route refuses one it does not take, naming
 * it, before it does anything (a mistyped filter or an `offset` would
 * otherwise answer another list than the one asked for), while the secret call
 * URLs (/hooks/, /registry-events/) keep taking whatever query a registry or
 * CI job adds. In process, over real HTTP; no Docker (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import type { ErrorBody } from '../support/api-bodies.js';
import { createWebhook, postHook } from '../support/scenario.js';

describe('query parameters', () => {
  let server: TestApp;
  let service: ServiceRecord;

  before(async () => {
    server = await startTestApp();
    service = await addStoredService(server.store, 'hoist-test-query');
  });

  after(async () => {
    await server?.close();
  });

  test('every /api/v1 route refuses a query parameter it does not take, naming it', async () => {
    // The bodies the routes that need one take: validation looks at the body first.
    const bodies: Record<string, unknown> = {
      'POST /api/v1/services': { name: 'refused', image: 'registry.test/refused:1' },
      'POST /api/v1/services/:id/scale': { replicas: 1 },
      'PATCH /api/v1/services/:id': { autoredeploy: true },
      'POST /api/v1/services/:id/webhooks': { name: 'refused' },
      'POST /api/v1/registries': { name: 'refused' },
      'POST /api/v1/tokens': { name: 'refused' },
      'POST /api/v1/users': { username: 'refused', role: 'viewer' },
      'PATCH /api/v1/users/:id': { role: 'viewer' },
      'POST /api/v1/me/password': { current: 'x', password: 'a long enough password' },
      'POST /api/v1/sign-in': { username: 'admin', password: 'x' },
    };
    const routes = server.server.app.registeredRoutes.filter(
      (r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD',
    );
    assert.ok(routes.length >= 15, `${routes.length} routes`);
    for (const route of routes) {
      const path = route.url.replace(/:([A-Za-z_]\w*)/g, () => randomUUID());
      for (const query of ['offset=100', 'cursor=abc', 'Limit=5']) {
        const { status, body } = await server.api<ErrorBody>(
          route.method,
          `${path}?${query}`,
          bodies[`${route.method} ${route.url}`],
        );
        const unknown = query.split('=')[0] ?? '';
        const label = `${route.method} ${route.url}?${query}`;
        assert.equal(status, 400, `${label}: ${JSON.stringify(body)}`);
        assert.equal(body.error.code, 'bad_request', label);
        assert.match(body.error.message, new RegExp(`unknown: ${unknown}\\b`), label);
      }
    }
    // Refused before anything was done.
    const registries = await server.api<{ registries: { name: string }[] }>(
      'GET',
      '/api/v1/registries',
    );
    assert.ok(!registries.body.registries.some((r) => r.name === 'refused'));
    const tokens = await server.api<{ tokens: { name: string }[] }>('GET', '/api/v1/tokens');
    assert.ok(!tokens.body.tokens.some((t) => t.name === 'refused'));
  });

  test('registry endpoint URLs take whatever query a registry adds', async () => {
    const created = await server.api<{ url: string }>('POST', '/api/v1/registries', {
      name: 'lenient',
    });
    const answer = await postHook(`${created.body.url}?source=registry&offset=1`, {
      headers: { 'content-type': 'application/vnd.docker.distribution.events.v1+json' },
      body: '{"events":[]}',
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body?.ignored, true);
  });

  test('handler URLs take whatever query a caller adds', async () => {
    const { url } = await createWebhook(server, service.id, 'lenient');
    const answer = await postHook(`${url}?source=ci&offset=1`);
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
  });
});
