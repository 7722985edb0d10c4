/**
 * Who may call the management API: every /api/v1 route but sign-in wants an
 * API token before it validates or looks anything up, and then the scope its
 * rule names (ACCESS below, one line per route: a new route without a line
 * fails here); health and docs want none. In process, over real HTTP; no
 * Docker (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helper.js';
import type { ErrorBody } from '../support/api-bodies.js';
import type { Scope } from '../../src/domain/auth/access.js';
import { apiRequest } from '../support/api-request.js';
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

/** What each /api/v1 route needs: a scope, any valid token, or nothing. */
const ACCESS: Record<string, Scope | 'signed-in' | 'public'> = {
  'GET /api/v1/engines': 'read',
  'GET /api/v1/services': 'read',
  'POST /api/v1/services': 'manage',
  'GET /api/v1/services/{}': 'read',
  'PATCH /api/v1/services/{}': 'manage',
  'DELETE /api/v1/services/{}': 'manage',
  'POST /api/v1/services/{}/redeploy': 'deploy',
  'POST /api/v1/services/{}/scale': 'deploy',
  'GET /api/v1/services/{}/webhooks': 'read',
  'POST /api/v1/services/{}/webhooks': 'manage',
  'GET /api/v1/services/{}/webhooks/{}': 'read',
  'DELETE /api/v1/services/{}/webhooks/{}': 'manage',
  'GET /api/v1/services/{}/webhooks/{}/deliveries': 'read',
  'GET /api/v1/actions': 'read',
  'GET /api/v1/actions/{}': 'read',
  'GET /api/v1/events': 'read',
  'GET /api/v1/registries': 'read',
  'POST /api/v1/registries': 'manage',
  'DELETE /api/v1/registries/{}': 'manage',
  'GET /api/v1/registries/{}/calls': 'read',
  'GET /api/v1/tokens': 'signed-in',
  'POST /api/v1/tokens': 'signed-in',
  'DELETE /api/v1/tokens/{}': 'signed-in',
  'GET /api/v1/me': 'signed-in',
  'POST /api/v1/me/password': 'signed-in',
  'GET /api/v1/users': 'admin',
  'POST /api/v1/users': 'admin',
  'PATCH /api/v1/users/{}': 'admin',
  'DELETE /api/v1/users/{}': 'admin',
  'POST /api/v1/sign-in': 'public',
  'GET /api/v1/audit': 'read',
};

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
    const routes = server.server.app.registeredRoutes.filter(
      (r) =>
        r.url.startsWith('/api/v1/') && ACCESS[`${r.method} ${routeShape(r.url)}`] !== 'public',
    );
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
        "the admin token as Basic auth with another user's name",
        {
          authorization: `Basic ${Buffer.from(`nobody:${server.token}`).toString('base64')}`,
        },
      ],
      [
        "the admin token as ApiKey with another user's name",
        { authorization: `ApiKey otto:${server.token}` },
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

  test('every /api/v1 route answers each role and token scope as its rule says', async () => {
    const routes = server.server.app.registeredRoutes.filter(
      (r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD',
    );
    const shapes = routes.map((r) => `${r.method} ${routeShape(r.url)}`);
    assert.deepEqual(
      [...new Set(shapes)].sort(),
      Object.keys(ACCESS).sort(),
      'every route has a line in ACCESS, and every line a route',
    );

    // Credentials: each role's full token, and an operator's token of each single scope.
    const member = async (username: string, role: string) => {
      const made = await server.api<{ user: { id: string }; password: string }>(
        'POST',
        '/api/v1/users',
        {
          username,
          role,
        },
      );
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const signedIn = await fetch(`${server.url}/api/v1/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: made.body.password }),
      });
      assert.equal(signedIn.status, 201);
      return ((await signedIn.json()) as { token: string }).token;
    };
    const operator = await member('otto', 'operator');
    const viewer = await member('vera', 'viewer');
    const scoped = async (scope: Scope) => {
      const made = await apiRequest<{ token: string }>(
        server.url,
        operator,
        'POST',
        '/api/v1/tokens',
        {
          name: `only ${scope}`,
          scopes: [scope],
        },
      );
      assert.equal(made.status, 201, JSON.stringify(made.body));
      return made.body.token;
    };
    const credentials: [string, string, Scope[]][] = [
      ['admin', server.token, ['read', 'deploy', 'manage', 'admin']],
      ['operator', operator, ['read', 'deploy', 'manage']],
      ['viewer', viewer, ['read']],
      ['operator read-only token', await scoped('read'), ['read']],
      ['operator deploy-only token', await scoped('deploy'), ['deploy']],
      ['operator manage-only token', await scoped('manage'), ['manage']],
    ];

    let allowed = 0;
    let refused = 0;
    for (const route of routes) {
      const rule = ACCESS[`${route.method} ${routeShape(route.url)}`];
      if (rule === 'public') continue;
      // Fresh UUIDs and a body no route takes: an allowed caller gets 400 or 404 and nothing
      // changes; a refused one gets 403 before either.
      const url = server.url + route.url.replace(/:[A-Za-z_]\w*/g, () => randomUUID());
      const hasBody = !['GET', 'DELETE'].includes(route.method);
      for (const [who, token, scopes] of credentials) {
        const answer = await fetch(url, {
          method: route.method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(hasBody ? { 'content-type': 'application/json' } : {}),
          },
          ...(hasBody ? { body: '{"not_a_field": true}' } : {}),
        });
        // /events streams while allowed: its status is enough.
        const streams = answer.headers.get('content-type')?.startsWith('text/event-stream');
        if (streams) await answer.body?.cancel();
        const response = { status: answer.status, text: streams ? '' : await answer.text() };
        const label = `${route.method} ${route.url} as ${who}`;
        const may =
          rule === 'signed-in' || scopes.includes('admin') || scopes.includes(rule as Scope);
        if (may) {
          assert.ok(
            ![401, 403].includes(response.status),
            `${label}: ${response.status} ${response.text}`,
          );
          allowed++;
        } else {
          assert.equal(response.status, 403, `${label}: ${response.text}`);
          const body = JSON.parse(response.text) as ErrorBody;
          assert.equal(body.error.code, 'forbidden', label);
          assert.match(
            body.error.message,
            new RegExp(`needs a token with the ${rule} scope`),
            label,
          );
          refused++;
        }
      }
    }
    assert.ok(allowed > 50 && refused > 50, `${allowed} allowed, ${refused} refused`);
  });

  test('the admin token opens the API; health and docs need none', async () => {
    assert.equal((await server.api('GET', '/api/v1/engines')).status, 200);
    for (const open of ['/healthz', '/readyz', '/api/docs/json']) {
      assert.equal((await fetch(server.url + open)).status, 200, open);
    }
  });
});
