/**
 * Errors Hoist's routes never see (Node's parser, Fastify's router and body
 * parsers) answer in the API's error format, `{"error": {"code", "message"}}`,
 * and none echoes a secret URL's token: long paths, malformed requests,
 * missing Host, bad JSON, unknown routes, a request too slow to finish. Sent as
 * raw bytes over a socket to a real server in process; no Docker
 * (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import {
  headOnlyRequest,
  trickleRequest,
  tokenOf,
  type SocketAnswer,
} from '../support/raw-http.js';
import { createWebhook } from '../support/scenario.js';

describe('errors outside the routes', () => {
  let server: TestApp;
  let port: number;
  let token: string;

  before(async () => {
    // A short request timeout, so the request that never ends is answered soon.
    server = await startTestApp({ HOIST_REQUEST_TIMEOUT_SECONDS: '1' });
    port = Number(new URL(server.url).port);
    const service = await addStoredService(server.store, 'hoist-test-error-format');
    token = tokenOf((await createWebhook(server, service.id, 'error format')).url);
  });

  after(async () => {
    await server?.close();
  });

  /** A request head for `line`, with a Host header unless told otherwise. */
  const head = (line: string, headers: string[] = ['Host: 127.0.0.1']) =>
    `${line}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;
  const api = (line: string, type: string, body: string) =>
    head(line, [
      'Host: 127.0.0.1',
      `Authorization: Bearer ${server.token}`,
      `Content-Type: ${type}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
    ]) + body;

  const cases = (): { name: string; request: string; status: number }[] => [
    {
      name: '8 KB path under /hooks/',
      request: head(`POST /hooks/${token}${'a'.repeat(8000)} HTTP/1.1`),
      status: 414,
    },
    {
      name: '20 KB path under /hooks/',
      request: head(`POST /hooks/${token}${'a'.repeat(20_000)} HTTP/1.1`),
      status: 431,
    },
    {
      name: 'malformed request line',
      request: head(`POST /hooks/${token} HTTX/1.1 more`),
      status: 400,
    },
    {
      name: 'malformed header',
      request: head(`POST /hooks/${token} HTTP/1.1`, ['Host: 127.0.0.1', 'Bad Header: x']),
      status: 400,
    },
    {
      name: 'HTTP/1.1 without Host',
      request: head(`POST /hooks/${token} HTTP/1.1`, ['Content-Length: 0']),
      status: 400,
    },
    { name: 'undecodable path', request: head(`POST /hooks/${token}%zz HTTP/1.1`), status: 400 },
    {
      name: 'bad JSON',
      request: api('POST /api/v1/registries HTTP/1.1', 'application/json', '{"name": '),
      status: 400,
    },
    {
      name: 'unsupported media type',
      request: api('POST /api/v1/registries HTTP/1.1', 'application/xml', '<name/>'),
      status: 415,
    },
    {
      name: 'unknown route under /hooks/',
      request: head(`POST /hooks/${token}/1/more HTTP/1.1`),
      status: 404,
    },
    { name: 'mistyped /hook/', request: head(`POST /hook/${token} HTTP/1.1`), status: 404 },
    { name: 'token under /api/v1/', request: head(`GET /api/v1/${token} HTTP/1.1`), status: 404 },
    {
      name: 'unknown method',
      request: head(`PUT /api/v1/registries HTTP/1.1`, [
        'Host: 127.0.0.1',
        `Authorization: Bearer ${server.token}`,
      ]),
      status: 404,
    },
  ];

  /** The answer is `{"error": {"code", "message"}}` as JSON, and nowhere holds the token. */
  const assertErrorFormat = (name: string, answer: Omit<SocketAnswer, 'statusLine'>) => {
    assert.match(answer.headers['content-type'] ?? '', /^application\/json/, name);
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['error'], name);
    const error = body.error as Record<string, unknown>;
    assert.deepEqual(Object.keys(error).sort(), ['code', 'message'], name);
    assert.equal(typeof error.code, 'string', name);
    assert.ok(typeof error.message === 'string' && error.message.length > 0, name);
    const whole = JSON.stringify(answer.headers) + answer.text;
    assert.ok(!whole.includes(token.slice(0, 16)), `${name} echoes the token: ${answer.text}`);
  };

  test('every one answers in the API error format and echoes no token', async () => {
    for (const { name, request, status } of cases()) {
      const answer = await headOnlyRequest(port, request, '').catch((error: Error) => {
        throw new Error(`${name}: ${error.message}`);
      });
      assert.equal(answer.status, status, `${name}: ${answer.text}`);
      assertErrorFormat(name, answer);
    }
  });

  test('a request still arriving after the request timeout gets 408 in the error format', async () => {
    // Never idle (a byte every 200 ms), so only the request timeout (1 s here) can end it.
    const answer = await trickleRequest(
      port,
      `POST /hooks/${token} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `,
      'a',
    );
    assert.equal(answer.status, 408, answer.text);
    assertErrorFormat('slow request', answer);
  });
});
