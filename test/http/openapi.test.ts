/**
 * The OpenAPI document at /api/docs/json, made from the routes' own schemas:
 * every route is in it with a schema for each answer and its security. In
 * process, over real HTTP; no Docker (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helper.js';

describe('OpenAPI', () => {
  let server: TestApp;

  before(async () => {
    server = await startTestApp();
  });

  after(async () => {
    await server?.close();
  });

  test('/api/docs/json documents every /api/v1 route and POST /hooks/{token}', async () => {
    const response = await fetch(`${server.url}/api/docs/json`);
    assert.equal(response.status, 200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            security?: unknown[];
            responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
          }
        >
      >;
    };
    assert.match(doc.openapi, /^3\.\d+\.\d+$/);

    const toOpenApi = (url: string) => url.replace(/:([A-Za-z_]\w*)/g, '{$1}');
    const routes = server.server.app.registeredRoutes.filter(
      (r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD',
    );
    const expected = [...routes, { method: 'POST', url: '/hooks/:token' }];
    for (const route of expected) {
      const label = `${route.method} ${route.url}`;
      const operation = doc.paths[toOpenApi(route.url)]?.[route.method.toLowerCase()];
      assert.ok(operation, `${label} is not in the OpenAPI document`);
      const responses = operation.responses ?? {};
      const success = Object.keys(responses).filter((code) => /^2\d\d$/.test(code));
      assert.ok(success.length > 0, `${label} documents no success answer`);
      for (const code of success) {
        if (code === '204') continue;
        const schema = responses[code]?.content?.['application/json']?.schema;
        assert.ok(schema && Object.keys(schema).length > 0, `${label} ${code} has no schema`);
      }
      if (label === 'POST /api/v1/sign-in') {
        // Signing in is how a user without a token gets one.
        assert.deepEqual(operation.security, [], `${label} security`);
        assert.ok(responses['429'], `${label} documents no 429`);
      } else if (route.url.startsWith('/api/v1/')) {
        assert.deepEqual(operation.security, [{ bearerAuth: [] }], `${label} security`);
        for (const code of ['401', '403'])
          assert.ok(responses[code], `${label} documents no ${code}`);
      } else {
        assert.equal(operation.security, undefined, 'the hook needs no API token');
        for (const code of ['404', '413']) assert.ok(responses[code], `${label} ${code}`);
      }
    }
    const ui = await fetch(`${server.url}/api/docs`, { redirect: 'follow' });
    assert.equal(ui.status, 200);
  });
});
