/**
 * The HTTP surface of a real Hoist server (startTestServer: in process, real
 * port, real SQLite file, the private test engine), spoken to over real HTTP:
 * who may call what, what the public /hooks/ endpoint accepts and refuses,
 * what handler management answers, what reaches the log, the OpenAPI
 * document, engine status (reachable and not), restarts on the same data
 * directory, and redeploys that keep or drop anonymous volumes.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from '../../src/config.js';
import { HOOK_BODY_LIMIT } from '../../src/http/routes/hook-routes.js';
import { startServer, type RunningServer } from '../../src/server.js';
import {
  buildAndPushTestImage,
  cleanupTestContainers,
  freePort,
  testDocker,
  testEngineEnv,
  type PushedTestImage,
} from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  createWebhook,
  execIn,
  findService,
  runTestContainer,
  settleActions,
  waitForActionEnd,
  type ApiService,
} from '../support/scenario.js';

const MiB = 1024 * 1024;

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

interface ErrorBody {
  error: { code: string; message: string };
}

interface CreatedWebhook {
  webhook: {
    id: string;
    serviceId: string;
    name: string;
    operation: string;
    tokenPrefix: string;
    createdAt: string;
    revokedAt: string | null;
    lastCalledAt: string | null;
    callCount: number;
  };
  url: string;
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP/1.1 request over node:http, with exactly the headers given (node
 * adds only Host and Connection; no Content-Type unless asked).
 */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'POST', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url} in 10 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Sends a request head and only `body` over a plain TCP socket, never the
 * rest of what Content-Length announces, and reads the answer: it can only
 * come if the server decided without waiting for the body.
 */
function headOnlyRequest(
  port: number,
  head: string,
  body: string,
  timeoutMs = 5000,
): Promise<{ status: number; headers: Record<string, string>; text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer in ${timeoutMs} ms; got: ${received.toString()}`));
    }, timeoutMs);
    const tryParse = () => {
      const text = received.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers['content-length'] ?? 0);
      const bodyBytes = received.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
      if (bodyBytes.length < length) return;
      clearTimeout(timer);
      socket.destroy();
      resolve({
        status: Number(statusLine.split(' ')[1]),
        headers,
        text: bodyBytes.subarray(0, length).toString('utf8'),
        ms: Date.now() - started,
      });
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      tryParse();
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(head + body);
  });
}

function tokenOf(url: string): string {
  const token = /\/hooks\/([^/?#]+)$/.exec(new URL(url).pathname)?.[1];
  assert.ok(token, `no token in ${url}`);
  return token;
}

/** `/api/v1/services/:id/webhooks/:wid` -> `/api/v1/services/{}/webhooks/{}` */
function routeShape(url: string): string {
  return url.replace(/:[A-Za-z_]\w*/g, '{}').replace(/\{[A-Za-z_]\w*\}/g, '{}');
}

/** Deliveries recorded for the calls whose User-Agent is `userAgent`, read from the SQLite file. */
function deliveriesByUserAgent(
  dataDir: string,
  userAgent: string,
): { payload_kind: string; outcome: string; content_type: string | null; action_id: string }[] {
  const db = new BetterSqlite3(path.join(dataDir, 'hoist.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return db
      .prepare(
        'SELECT payload_kind, outcome, content_type, action_id FROM deliveries WHERE user_agent = ?',
      )
      .all(userAgent) as {
      payload_kind: string;
      outcome: string;
      content_type: string | null;
      action_id: string;
    }[];
  } finally {
    db.close();
  }
}

/** Every row of the webhooks table, as stored. */
function webhookRows(dataDir: string): unknown[] {
  const db = new BetterSqlite3(path.join(dataDir, 'hoist.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return db.prepare('SELECT * FROM webhooks').all();
  } finally {
    db.close();
  }
}

function countRows(dataDir: string, sql: string, ...params: unknown[]): number {
  const db = new BetterSqlite3(path.join(dataDir, 'hoist.sqlite'), {
    readonly: true,
    fileMustExist: true,
  });
  try {
    return (db.prepare(sql).get(...params) as { n: number }).n;
  } finally {
    db.close();
  }
}

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

describe('the HTTP API and the /hooks/ endpoint of a real server', () => {
  let server: TestServer;
  let image: PushedTestImage;
  let service: ApiService;
  /** Every handler token this suite saw, for the log check at the end. */
  const tokens: string[] = [];

  const create = async (name: unknown, extra: Record<string, unknown> = {}) =>
    server.api<CreatedWebhook & ErrorBody>('POST', `/api/v1/services/${service.id}/webhooks`, {
      name,
      ...extra,
    });

  const newHandler = async (name: string) => {
    const created = await createWebhook(server, service.id, name);
    tokens.push(tokenOf(created.url));
    return created;
  };

  before(async () => {
    await cleanupTestContainers();
    server = await startTestServer();
    image = await buildAndPushTestImage({
      repo: 'hoist-test/http-api',
      tag: 'latest',
      version: 'http-api v1',
    });
    await runTestContainer({ name: 'hoist-test-http-api', Image: image.ref, StopTimeout: 1 });
    service = await findService(server, 'hoist-test-http-api');
  });

  after(async () => {
    if (server && service) await settleActions(server, service.id);
    await server?.close();
    await cleanupTestContainers();
  });

  describe('authentication', () => {
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
            assert.ok(
              !response.text.includes(server.token),
              `${label}: the answer holds the token`,
            );
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

  describe('POST /hooks/{token}', () => {
    test('unknown and revoked tokens get byte-identical 404 answers', async () => {
      const revoked = await newHandler('soon revoked');
      const del = await server.api(
        'DELETE',
        `/api/v1/services/${service.id}/webhooks/${revoked.webhook.id}`,
      );
      assert.equal(del.status, 204);

      const answers = await Promise.all(
        [
          revoked.url,
          `${server.url}/hooks/${randomBytes(32).toString('base64url')}`,
          `${server.url}/hooks/${tokenOf(revoked.url).slice(0, -1)}A`,
          `${server.url}/hooks/x`,
        ].map((url) =>
          rawRequest(url, { headers: { 'content-type': 'application/json' }, body: '{}' }),
        ),
      );
      for (const answer of answers) {
        assert.equal(answer.status, 404);
        assert.equal(answer.text, answers[0]?.text);
        assert.equal(answer.headers['content-type'], answers[0]?.headers['content-type']);
        assert.equal(answer.headers['content-length'], answers[0]?.headers['content-length']);
      }
      const body = JSON.parse(answers[0]?.text ?? '') as ErrorBody;
      assert.equal(body.error.code, 'webhook_not_found');
      assert.ok(body.error.message.length > 0);
      assert.equal(
        countRows(
          server.dataDir,
          'SELECT count(*) AS n FROM deliveries WHERE webhook_id = ?',
          revoked.webhook.id,
        ),
        0,
        'a call of a revoked handler is not recorded as a delivery',
      );
    });

    test('other methods get 405 with Allow: POST and change nothing', async () => {
      const handler = await newHandler('methods');
      for (const url of [
        handler.url,
        `${server.url}/hooks/${randomBytes(32).toString('base64url')}`,
      ]) {
        for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
          const response = await rawRequest(url, {
            method,
            ...(method === 'PUT' || method === 'PATCH'
              ? { headers: { 'content-type': 'application/json' }, body: '{}' }
              : {}),
          });
          assert.equal(response.status, 405, `${method}: ${response.text}`);
          assert.equal(response.headers.allow, 'POST', method);
          const body = JSON.parse(response.text) as ErrorBody;
          assert.equal(body.error.code, 'method_not_allowed');
        }
      }
      const listed = await server.api<{ webhooks: CreatedWebhook['webhook'][] }>(
        'GET',
        `/api/v1/services/${service.id}/webhooks`,
      );
      const methods = listed.body.webhooks.find((w) => w.id === handler.webhook.id);
      assert.equal(methods?.callCount, 0);
      assert.equal(methods?.lastCalledAt, null);
    });

    test('a body over 1 MiB is refused with 413 from Content-Length, before it is read', async () => {
      const handler = await newHandler('too large');
      const port = Number(new URL(server.url).port);
      const pathname = new URL(handler.url).pathname;
      for (const announced of [HOOK_BODY_LIMIT + 1, 2 * MiB, 1024 * MiB]) {
        const head =
          `POST ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
          `Content-Type: application/octet-stream\r\nContent-Length: ${announced}\r\n\r\n`;
        const answer = await headOnlyRequest(port, head, 'only sixteen b..');
        assert.equal(answer.status, 413, answer.text);
        const body = JSON.parse(answer.text) as ErrorBody;
        assert.equal(body.error.code, 'payload_too_large');
        assert.match(body.error.message, /1 MiB/);
        assert.ok(answer.ms < 5000, `answered after ${answer.ms} ms`);
      }
      // Without Content-Length (chunked), the limit holds while reading.
      const chunked = await rawRequest(handler.url, {
        headers: { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
        body: Buffer.alloc(HOOK_BODY_LIMIT + 1024, 'a'),
      });
      assert.equal(chunked.status, 413, chunked.text);
      assert.equal(
        countRows(
          server.dataDir,
          'SELECT count(*) AS n FROM deliveries WHERE webhook_id = ?',
          handler.webhook.id,
        ),
        0,
      );
      // Exactly 1 MiB is allowed.
      const exact = await rawRequest(handler.url, {
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.alloc(HOOK_BODY_LIMIT, 'a'),
      });
      assert.equal(exact.status, 202, exact.text);
    });

    test('any content type, or none, is accepted with 202 and its payload kind recorded', async () => {
      const handler = await newHandler('content types');
      const run = randomUUID().slice(0, 8);
      const cases: {
        name: string;
        headers: Record<string, string>;
        body?: string | Buffer;
        kind: string;
      }[] = [
        {
          name: 'json',
          headers: { 'content-type': 'application/json' },
          body: '{"push_data":{"tag":"latest"}}',
          kind: 'json',
        },
        {
          name: 'invalid-json',
          headers: { 'content-type': 'application/json' },
          body: '{"push_data": ',
          kind: 'json',
        },
        {
          // A registry's own type is a registry payload (answered by what it reports pushed:
          // registry-payloads.test.ts); any other +json type is plain JSON.
          name: 'vendor-json',
          headers: { 'content-type': 'application/vnd.example.build+json' },
          body: '{"build":42}',
          kind: 'json',
        },
        {
          name: 'form',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'a=1&b=2',
          kind: 'form',
        },
        {
          name: 'multipart',
          headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
          body: '--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--xyz--\r\n',
          kind: 'form',
        },
        {
          name: 'text',
          headers: { 'content-type': 'text/plain; charset=utf-8' },
          body: 'deploy please',
          kind: 'text',
        },
        {
          name: 'octet-stream',
          headers: { 'content-type': 'application/octet-stream' },
          body: randomBytes(64),
          kind: 'other',
        },
        { name: 'no-body', headers: {}, kind: 'empty' },
        {
          name: 'json-type-no-body',
          headers: { 'content-type': 'application/json' },
          kind: 'empty',
        },
        {
          name: 'body-without-type',
          headers: {},
          body: 'raw bytes, no content type',
          kind: 'other',
        },
        {
          name: 'junk-type',
          headers: { 'content-type': 'not a media type' },
          body: 'x',
          kind: 'other',
        },
      ];
      let calls = 0;
      for (const c of cases) {
        const userAgent = `hoist-http-test/${run}/${c.name}`;
        const response = await rawRequest(handler.url, {
          headers: { ...c.headers, 'user-agent': userAgent },
          ...(c.body === undefined ? {} : { body: c.body }),
        });
        assert.equal(response.status, 202, `${c.name}: ${response.text}`);
        calls++;
        const body = JSON.parse(response.text) as {
          action: { id: string; state: string; url: string };
          coalesced: boolean;
        };
        assert.match(body.action.id, /^[0-9a-f-]{36}$/);
        assert.equal(body.action.url, `${server.url}/api/v1/actions/${body.action.id}`);
        assert.equal(typeof body.coalesced, 'boolean');
        const recorded = deliveriesByUserAgent(server.dataDir, userAgent);
        assert.equal(recorded.length, 1, c.name);
        assert.equal(recorded[0]?.payload_kind, c.kind, c.name);
        assert.equal(recorded[0]?.action_id, body.action.id, c.name);
        assert.equal(recorded[0]?.outcome, body.coalesced ? 'coalesced' : 'accepted', c.name);
        assert.equal(recorded[0]?.content_type, c.headers['content-type'] ?? null, c.name);
      }
      const got = await server.api<CreatedWebhook['webhook']>(
        'GET',
        `/api/v1/services/${service.id}/webhooks/${handler.webhook.id}`,
      );
      assert.equal(got.body.callCount, calls);
      assert.ok(got.body.lastCalledAt);
    });
  });

  describe('webhook handlers', () => {
    test('create answers 201 with the secret URL, shown only there', async () => {
      const before = Date.now();
      const created = await create('docker hub');
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { webhook, url } = created.body;
      const token = tokenOf(url);
      tokens.push(token);
      assert.equal(url, `${server.url}/hooks/${token}`);
      assert.match(token, /^[A-Za-z0-9_-]{43,}$/);
      assert.equal(webhook.serviceId, service.id);
      assert.equal(webhook.name, 'docker hub');
      assert.equal(webhook.operation, 'REDEPLOY');
      assert.ok(token.startsWith(webhook.tokenPrefix) && webhook.tokenPrefix.length < 12);
      assert.equal(webhook.revokedAt, null);
      assert.equal(webhook.lastCalledAt, null);
      assert.equal(webhook.callCount, 0);
      assert.ok(Date.parse(webhook.createdAt) >= before - 1000);

      const reads = await Promise.all([
        server.api('GET', `/api/v1/services/${service.id}/webhooks`),
        server.api('GET', `/api/v1/services/${service.id}/webhooks/${webhook.id}`),
        server.api('GET', `/api/v1/services/${service.id}`),
        server.api('GET', '/api/v1/services'),
        server.api('GET', '/api/v1/actions'),
      ]);
      for (const read of reads) {
        assert.equal(read.status, 200);
        const text = JSON.stringify(read.body);
        assert.ok(!text.includes(token), `the token shows in ${text.slice(0, 200)}`);
        assert.ok(!text.includes(token.slice(0, 20)), 'a long piece of the token shows');
      }
      const listed = reads[0]?.body as { webhooks: { id: string }[] };
      assert.ok(listed.webhooks.some((w) => w.id === webhook.id));
      assert.deepEqual(reads[1]?.body, webhook);
      const stored = JSON.stringify(webhookRows(server.dataDir));
      assert.ok(stored.includes(webhook.id));
      assert.ok(!stored.includes(token.slice(0, 16)), 'the store holds the token in clear');

      const call = await rawRequest(url);
      assert.equal(call.status, 202, call.text);
    });

    test('an active name is taken once per service; a revoked one frees it', async () => {
      const first = await create('release');
      assert.equal(first.status, 201);
      tokens.push(tokenOf(first.body.url));
      for (const again of ['release', '  release  ']) {
        const dup = await create(again);
        assert.equal(dup.status, 409, JSON.stringify(dup.body));
        assert.equal(dup.body.error.code, 'webhook_name_taken');
        assert.match(dup.body.error.message, /release/);
      }
      const del = await server.api(
        'DELETE',
        `/api/v1/services/${service.id}/webhooks/${first.body.webhook.id}`,
      );
      assert.equal(del.status, 204);
      const reused = await create('release');
      assert.equal(reused.status, 201, JSON.stringify(reused.body));
      tokens.push(tokenOf(reused.body.url));
      assert.notEqual(tokenOf(reused.body.url), tokenOf(first.body.url));
    });

    test('bad input is refused with 400 and a message that says what is wrong', async () => {
      const cases: { what: string; body: unknown; message: RegExp }[] = [
        { what: 'a name with symbols', body: { name: '!!!' }, message: /letters, digits/ },
        { what: 'a blank name', body: { name: '   ' }, message: /letters, digits/ },
        { what: 'an empty name', body: { name: '' }, message: /name/ },
        { what: 'a name of 65 characters', body: { name: 'a'.repeat(65) }, message: /name/ },
        { what: 'a name that is an object', body: { name: { a: 1 } }, message: /name/ },
        { what: 'no name', body: {}, message: /name/ },
        {
          what: 'an unknown field',
          body: { name: 'fine', colour: 'red' },
          message: /additional.*colour/,
        },
        {
          what: 'an unknown operation',
          body: { name: 'fine2', operation: 'DESTROY' },
          message: /operation/,
        },
        { what: 'a JSON array', body: [{ name: 'x' }], message: /object|body/ },
      ];
      for (const c of cases) {
        const response = await server.api<ErrorBody & Partial<CreatedWebhook>>(
          'POST',
          `/api/v1/services/${service.id}/webhooks`,
          c.body,
        );
        if (response.body.url) tokens.push(tokenOf(response.body.url));
        assert.equal(response.status, 400, `${c.what}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.error.code, 'bad_request', c.what);
        assert.match(response.body.error.message, c.message, c.what);
      }

      const route = `${server.url}/api/v1/services/${service.id}/webhooks`;
      const auth = { authorization: `Bearer ${server.token}` };
      const malformed = await rawRequest(route, {
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"name": "x",',
      });
      assert.equal(malformed.status, 400, malformed.text);
      assert.equal((JSON.parse(malformed.text) as ErrorBody).error.code, 'bad_request');
      assert.match((JSON.parse(malformed.text) as ErrorBody).error.message, /JSON/);

      const empty = await rawRequest(route, {
        headers: { ...auth, 'content-type': 'application/json' },
      });
      assert.equal(empty.status, 400, empty.text);
      assert.match((JSON.parse(empty.text) as ErrorBody).error.message, /empty/);

      const form = await rawRequest(route, {
        headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=x',
      });
      assert.equal(form.status, 415, form.text);
      assert.match((JSON.parse(form.text) as ErrorBody).error.message, /application\/json/);

      const badId = await server.api<ErrorBody>('POST', '/api/v1/services/not-a-uuid/webhooks', {
        name: 'x',
      });
      assert.equal(badId.status, 400);
      assert.match(badId.body.error.message, /id|uuid/);
    });

    test('an unknown service answers 404 service_not_found', async () => {
      const id = randomUUID();
      for (const [method, route, body] of [
        ['POST', `/api/v1/services/${id}/webhooks`, { name: 'ci' }],
        ['GET', `/api/v1/services/${id}/webhooks`, undefined],
        ['GET', `/api/v1/services/${id}/webhooks/${randomUUID()}`, undefined],
        ['DELETE', `/api/v1/services/${id}/webhooks/${randomUUID()}`, undefined],
        ['GET', `/api/v1/services/${id}`, undefined],
        ['POST', `/api/v1/services/${id}/redeploy`, {}],
      ] as const) {
        const response = await server.api<ErrorBody>(method, route, body);
        assert.equal(response.status, 404, `${method} ${route}: ${JSON.stringify(response.body)}`);
        assert.equal(response.body.error.code, 'service_not_found', `${method} ${route}`);
        assert.match(response.body.error.message, new RegExp(id));
        assert.match(response.body.error.message, /GET \/api\/v1\/services/);
      }
      const unknownHook = await server.api<ErrorBody>(
        'GET',
        `/api/v1/services/${service.id}/webhooks/${randomUUID()}`,
      );
      assert.equal(unknownHook.status, 404);
      assert.equal(unknownHook.body.error.code, 'webhook_not_found');
    });

    test('revoke answers 204, the URL answers 404 at once, revoking again is a no-op 204', async () => {
      const created = await newHandler('to revoke');
      assert.equal((await rawRequest(created.url)).status, 202);

      const route = `/api/v1/services/${service.id}/webhooks/${created.webhook.id}`;
      const response = await fetch(server.url + route, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${server.token}` },
      });
      assert.equal(response.status, 204);
      assert.equal(await response.text(), '');
      const call = await rawRequest(created.url);
      assert.equal(call.status, 404);
      assert.equal((JSON.parse(call.text) as ErrorBody).error.code, 'webhook_not_found');

      const listed = await server.api<{ webhooks: CreatedWebhook['webhook'][] }>(
        'GET',
        `/api/v1/services/${service.id}/webhooks`,
      );
      const shown = listed.body.webhooks.find((w) => w.id === created.webhook.id);
      assert.ok(shown);
      assert.ok(
        shown.revokedAt && !Number.isNaN(Date.parse(shown.revokedAt)),
        shown.revokedAt ?? '',
      );
      assert.equal(shown.callCount, 1, 'the refused call after revoking is not counted');

      const again = await server.api('DELETE', route);
      assert.equal(again.status, 204, 'revoking is idempotent');
      const after = await server.api<CreatedWebhook['webhook']>('GET', route);
      assert.equal(after.body.revokedAt, shown.revokedAt, 'the first revocation time stays');

      // Another existing service does not own this handler.
      await runTestContainer({ name: 'hoist-test-http-other', Image: image.ref, StopTimeout: 1 });
      const other = await findService(server, 'hoist-test-http-other');
      const foreign = await server.api<ErrorBody>(
        'DELETE',
        `/api/v1/services/${other.id}/webhooks/${created.webhook.id}`,
      );
      assert.equal(foreign.status, 404);
      assert.equal(foreign.body.error.code, 'webhook_not_found');
    });
  });

  describe('OpenAPI', () => {
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
        if (route.url.startsWith('/api/v1/')) {
          assert.deepEqual(operation.security, [{ bearerAuth: [] }], `${label} security`);
          assert.ok(responses['401'], `${label} documents no 401`);
        } else {
          assert.equal(operation.security, undefined, 'the hook needs no API token');
          for (const code of ['404', '413']) assert.ok(responses[code], `${label} ${code}`);
        }
      }
      const ui = await fetch(`${server.url}/api/docs`, { redirect: 'follow' });
      assert.equal(ui.status, 200);
    });
  });

  describe('engines', () => {
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
  });

  describe('the log', () => {
    test('holds no handler token and no API token; /hooks/ paths show as /hooks/[redacted]', async () => {
      const handler = await newHandler('for the log');
      const token = tokenOf(handler.url);
      const base = `${server.url}/hooks/${token}`;
      assert.equal((await rawRequest(base)).status, 202);
      assert.equal((await rawRequest(`${base}?from=ci`)).status, 202);
      assert.equal((await rawRequest(base, { method: 'GET' })).status, 405);
      // A REDEPLOY handler's URL takes no count: refused, and the token still never logged.
      assert.equal((await rawRequest(`${base}/extra`)).status, 400);
      assert.equal((await rawRequest(`${server.url}/hooks/${token.slice(1)}`)).status, 404);
      const port = Number(new URL(server.url).port);
      const tooLarge = await headOnlyRequest(
        port,
        `POST /hooks/${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${2 * MiB}\r\n\r\n`,
        '',
      );
      assert.equal(tooLarge.status, 413);
      // Mistyped paths that still carry the token.
      assert.equal((await rawRequest(`${server.url}//hooks/${token}`)).status, 404);
      assert.equal((await rawRequest(`${server.url}/HOOKS/${token}`)).status, 404);
      assert.equal((await rawRequest(`${server.url}/hooks%2F${token}`)).status, 404);
      await rawRequest(`${server.url}/api/v1/engines`, {
        method: 'GET',
        headers: { authorization: `Bearer ${server.token}` },
      });
      // Let the last onResponse log lines land.
      await new Promise((resolve) => setTimeout(resolve, 200));

      const logs = server.logs();
      for (const secret of [...tokens, token, server.token]) {
        const leaks = logs
          .split('\n')
          .filter((line) => line.includes(secret.slice(0, 16)))
          .map((line) =>
            line.replaceAll(secret, '<SECRET>').replaceAll(secret.slice(0, 16), '<SECRET>'),
          );
        assert.deepEqual(leaks, [], `the log holds (part of) a secret`);
      }
      const requests = logs
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { msg?: string; url?: string; status?: number })
        .filter((entry) => entry.msg === 'request');
      const hookLines = requests.filter((r) => /\/hooks(\/|%2f)/i.test(r.url ?? ''));
      for (const status of [202, 404, 405, 413]) {
        assert.ok(
          hookLines.some((r) => r.status === status && r.url?.startsWith('/hooks/[redacted]')),
          `no redacted /hooks/ line with status ${status}`,
        );
      }
      for (const line of hookLines) {
        assert.match(line.url ?? '', /\/hooks(\/|%2f)\[redacted\]/i, JSON.stringify(line));
      }
    });
  });
});

describe('a server whose engine does not exist', () => {
  let server: TestServer;
  const socketDir = path.join(tmpdir(), `hoist-no-engine-${randomUUID()}`);
  const socket = path.join(socketDir, 'docker.sock');

  before(async () => {
    server = await startTestServer({ DOCKER_HOST: `unix://${socket}` });
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

describe('redeploy with reuse_volumes, on anonymous volumes', () => {
  let server: TestServer;
  let image: PushedTestImage;

  before(async () => {
    await cleanupTestContainers();
    server = await startTestServer();
    image = await buildAndPushTestImage({
      repo: 'hoist-test/http-cache',
      tag: 'latest',
      version: 'cache v1',
      volumes: ['/cache'],
    });
  });

  after(async () => {
    await server?.close();
    await cleanupTestContainers();
  });

  const cacheVolume = async (name: string): Promise<string> => {
    const info = await testDocker().getContainer(name).inspect();
    const mount = info.Mounts.find((m) => m.Destination === '/cache');
    assert.ok(mount?.Name, `${name} has no volume at /cache`);
    return mount.Name;
  };

  const redeploy = async (name: string, body: unknown) => {
    const service = await findService(server, name);
    const started = await server.api<{ action: { id: string } }>(
      'POST',
      `/api/v1/services/${service.id}/redeploy`,
      body,
    );
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const action = await waitForActionEnd(server, started.body.action.id);
    assert.equal(action.state, 'Success', JSON.stringify(action.log));
    return action;
  };

  const volumeExists = async (volume: string) =>
    testDocker()
      .getVolume(volume)
      .inspect()
      .then(
        () => true,
        (error: { statusCode?: number }) => {
          if (error.statusCode === 404) return false;
          throw error;
        },
      );

  for (const origin of ['VOLUME in the image', '-v /cache on the container'] as const) {
    const slug = origin.startsWith('VOLUME') ? 'image' : 'run';
    const createBody = (name: string) =>
      origin.startsWith('VOLUME')
        ? { name, Image: image.ref, StopTimeout: 1 }
        : { name, Image: image.ref, StopTimeout: 1, Volumes: { '/cache': {} } };

    test(`default (reuse_volumes true) keeps /cache (${origin})`, async () => {
      const name = `hoist-test-http-keep-${slug}`;
      await runTestContainer(createBody(name));
      await execIn(name, ['sh', '-c', 'echo warm > /cache/file']);
      const volume = await cacheVolume(name);

      await redeploy(name, undefined);
      assert.equal(await execIn(name, ['cat', '/cache/file']), 'warm');
      assert.equal(await cacheVolume(name), volume, 'the same volume is mounted');
    });

    test(`reuse_volumes false gives a fresh, empty /cache (${origin})`, async () => {
      const name = `hoist-test-http-fresh-${slug}`;
      await runTestContainer(createBody(name));
      await execIn(name, ['sh', '-c', 'echo stale > /cache/file']);
      const volume = await cacheVolume(name);

      await redeploy(name, { reuse_volumes: false });
      assert.equal(await execIn(name, ['ls', '-A', '/cache']), '', '/cache is empty');
      assert.notEqual(await cacheVolume(name), volume, 'a new volume is mounted');
      assert.equal(
        await volumeExists(volume),
        false,
        'the old anonymous volume went with its container',
      );
    });
  }

  // A reusing redeploy mounts the anonymous volume by name; the adapter's label keeps it
  // anonymous for later redeploys, and it goes with its container.
  test('reuse_volumes false after a default redeploy still gives a fresh /cache', async () => {
    const name = 'hoist-test-http-twice';
    await runTestContainer({ name, Image: image.ref, StopTimeout: 1 });
    await execIn(name, ['sh', '-c', 'echo stale > /cache/file']);
    const volume = await cacheVolume(name);

    await redeploy(name, {});
    assert.equal(await execIn(name, ['cat', '/cache/file']), 'stale');

    await redeploy(name, { reuse_volumes: false });
    const info = await testDocker().getContainer(name).inspect();
    assert.equal(
      await execIn(name, ['ls', '-A', '/cache']),
      '',
      `/cache is not fresh; HostConfig.Binds: ${JSON.stringify(info.HostConfig.Binds)}`,
    );
    assert.notEqual(await cacheVolume(name), volume);
    assert.equal(await volumeExists(volume), false, 'the carried volume went with its container');
  });
});
