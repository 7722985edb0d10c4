/**
 * Who may call the management API: every /api/v1 route wants the admin token
 * (or another API token) before it validates or looks anything up; health and
 * docs want none. In process, over real HTTP; no Docker (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helper.js';
import type { ErrorBody } from '../support/api-bodies.js';
import { rawRequest } from '../support/raw-http.js';

/** The management routes DESIGN.md lists; the auth walk must reach every one of them. */
const DESIGNED_API_ROUTES = [
  'GET /api/v1/engines',
  'GET /api/v1/services',
  'GET /api/v1/services/{}',
  'POST /api/v1/services/{}/redeploy',
  'GET /api/v1/services/{}/webhooks',
  'POST /api/v1/services/{}/webhooks',
  'GET /api/v1/services/{}/webhooks/{}',
  'DELETE /api/v1/services/{}/webhooks/{}',
  'GET /api/v1/actions',
  'GET /api/v1/actions/{}',
];

/** `/api/v1/services/:id/webhooks/:wid` -> `/api/v1/services/{}/webhooks/{}` */
function routeShape(url: string): string {
  return url.replace(/:[A-Za-z_]\w*/g, '{}').replace(/\{[A-Za-z_]\w*\}/g, '{}');
}

describe('authentication', () => {
  let server: TestApp;

  before(async () => {
    server = await startTestApp();
  });

  after(async () => {
    await server?.close();
  });

  test('every /api/v1 route answers 401 without a token and with a wrong one', async () => {
    const routes = server.server.app.registeredRoutes.filter((r) => r.url.startsWith('/api/v1/'));
    const walked = new Set(routes.map((r) => `${r.method} ${routeShape(r.url)}`));
    for (const designed of DESIGNED_API_ROUTES) {
      assert.ok(walked.has(designed), `the walk misses ${designed}; it has ${[...walked]}`);
    }

    const wrongTokens: [string, Record<string, string>][] = [
      ['no Authorization header', {}],
      [
        'a random bearer token',
        { authorization: `Bearer hoist_${randomBytes(32).toString('base64url')}` },
      ],
      ['the admin token with one more character', { authorization: `Bearer ${server.token}x` }],
      [
        'the admin token as Basic auth',
        {
          authorization: `Basic ${Buffer.from(`admin:${server.token}`).toString('base64')}`,
        },
      ],
      ['an empty bearer', { authorization: 'Bearer ' }],
    ];
    let checked = 0;
    for (const route of routes) {
      // Params are filled with fresh UUIDs (valid shape, nothing behind them) and, once, with junk:
      // authentication must come before validation and lookups either way.
      for (const fill of [() => randomUUID(), () => 'not-a-uuid']) {
        const url = server.url + route.url.replace(/:[A-Za-z_]\w*/g, fill);
        for (const [what, headers] of wrongTokens) {
          const hasBody = !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(route.method);
          const response = await rawRequest(url, {
            method: route.method,
            headers: hasBody ? { ...headers, 'content-type': 'application/json' } : headers,
            ...(hasBody ? { body: '{"not_a_field": true}' } : {}),
          });
          const label = `${route.method} ${route.url} with ${what}`;
          assert.equal(response.status, 401, `${label}: ${response.text}`);
          if (route.method === 'HEAD') continue;
          const body = JSON.parse(response.text) as ErrorBody;
          assert.deepEqual(Object.keys(body), ['error'], label);
          assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message'], label);
          assert.equal(body.error.code, 'unauthorized', label);
          assert.match(body.error.message, /token/i, label);
          assert.ok(!response.text.includes(server.token), `${label}: the answer holds the token`);
          checked++;
        }
      }
    }
    assert.ok(checked >= DESIGNED_API_ROUTES.length * wrongTokens.length * 2);
  });

  test('the admin token opens the API; health and docs need none', async () => {
    assert.equal((await server.api('GET', '/api/v1/engines')).status, 200);
    for (const open of ['/healthz', '/readyz', '/api/docs/json']) {
      assert.equal((await fetch(server.url + open)).status, 200, open);
    }
  });
});
