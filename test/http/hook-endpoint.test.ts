/**
 * What the public POST /hooks/{token} endpoint accepts and refuses: unknown
 * and revoked tokens alike, other methods, bodies over the limit, and every
 * content type. In process, over real HTTP and real sockets, on a service
 * record written into the store; no Docker (test/helper.ts): calls are
 * recorded and their redeploys wait for an engine that is down.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { HOOK_BODY_LIMIT } from '../../src/http/routes/hook-routes.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import type { CreatedWebhook, ErrorBody } from '../support/api-bodies.js';
import {
  expectContinueRequest,
  headOnlyRequest,
  rawRequest,
  tokenOf,
} from '../support/raw-http.js';
import { createWebhook } from '../support/scenario.js';
import { countRows, deliveriesByUserAgent } from '../support/sqlite-rows.js';

const MiB = 1024 * 1024;

describe('POST /hooks/{token}', () => {
  let server: TestApp;
  let service: ServiceRecord;

  const newHandler = (name: string) => createWebhook(server, service.id, name);

  before(async () => {
    server = await startTestApp();
    service = await addStoredService(server.store, 'hoist-test-http-api');
  });

  after(async () => {
    await server?.close();
  });

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

  test('a body with a NUL byte to a passBody handler answers 400, is recorded rejected and queues nothing', async () => {
    const created = await server.api<CreatedWebhook & ErrorBody>(
      'POST',
      `/api/v1/services/${service.id}/webhooks`,
      { name: 'passes body', passBody: true },
    );
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { webhook, url } = created.body;
    const actionsBefore = await server.api<{ actions: { id: string }[] }>(
      'GET',
      `/api/v1/actions?service=${service.id}`,
    );

    const answer = await rawRequest(url, {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"build": "42\u0000"}'),
    });

    assert.equal(answer.status, 400, answer.text);
    const body = JSON.parse(answer.text) as ErrorBody;
    assert.equal(body.error.code, 'bad_request');
    assert.match(body.error.message, /HOIST_TRIGGER_BODY.*NUL/);
    const deliveries = await server.api<{ deliveries: { outcome: string; reason: string }[] }>(
      'GET',
      `/api/v1/services/${service.id}/webhooks/${webhook.id}/deliveries`,
    );
    assert.deepEqual(deliveries.body.deliveries, [
      {
        ...deliveries.body.deliveries[0],
        outcome: 'rejected',
        reason: 'body: it holds a NUL byte, which HOIST_TRIGGER_BODY cannot carry',
      },
    ]);
    const actionsAfter = await server.api<{ actions: { id: string }[] }>(
      'GET',
      `/api/v1/actions?service=${service.id}`,
    );
    const ids = (list: { actions: { id: string }[] }) => list.actions.map((a) => a.id);
    assert.deepEqual(ids(actionsAfter.body), ids(actionsBefore.body), 'no action queued');

    // The same body without the NUL is taken.
    const clean = await rawRequest(url, {
      headers: { 'content-type': 'application/json' },
      body: '{"build": "42"}',
    });
    assert.equal(clean.status, 202, clean.text);
  });

  test('Expect: 100-continue invites a body within the limit and answers 413 to a larger one without inviting it', async () => {
    const handler = await newHandler('expect continue');
    const port = Number(new URL(server.url).port);
    const pathname = new URL(handler.url).pathname;
    const head = (target: string, length: number, more = '') =>
      `POST ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nExpect: 100-continue\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${length}\r\n${more}\r\n`;

    const oversized = [
      head(pathname, HOOK_BODY_LIMIT + 1),
      head(`/registry-events/${randomBytes(32).toString('base64url')}`, 2 * MiB),
      head('/api/v1/registries', 2 * MiB, `Authorization: Bearer ${server.token}\r\n`),
    ];
    for (const request of oversized) {
      const { answers, bodySent } = await expectContinueRequest(port, request, '{}');
      assert.equal(bodySent, false, JSON.stringify(answers));
      assert.match(answers[0]?.statusLine ?? '', /^HTTP\/1\.1 413 /);
      assert.equal(answers[0]?.headers.connection, 'close');
      const body = JSON.parse(answers[0]?.text ?? '') as ErrorBody;
      assert.equal(body.error.code, 'payload_too_large');
      assert.match(body.error.message, /1 MiB/);
    }

    const payload = '{"push_data":{"tag":"latest"}}';
    const fits = await expectContinueRequest(port, head(pathname, payload.length), payload);
    assert.equal(fits.bodySent, true);
    assert.deepEqual(
      fits.answers.map((a) => a.status),
      [100, 202],
    );
    // An expectation Node does not know is ignored: the route answers, not a bare 417.
    const other = await rawRequest(handler.url, {
      headers: { expect: 'x-unknown', 'content-type': 'application/json' },
      body: payload,
    });
    assert.equal(other.status, 202, other.text);
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
