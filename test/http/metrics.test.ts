/**
 * GET /metrics: off unless asked for; behind HOIST_METRICS_TOKEN when one is
 * set; counts calls of both kinds of secret URL by result, reads the queue and
 * the engine when scraped, and shows no secret and no label value outside a
 * fixed list. In process, over real HTTP; no Docker (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import { metricsPage, sample } from '../support/metrics-page.js';
import { rawRequest, tokenOf } from '../support/raw-http.js';
import { dockerHubPayload, gitHubSignature } from '../support/registry-payloads.js';
import { createWebhook } from '../support/scenario.js';

const METRICS_TOKEN = randomBytes(24).toString('base64url');

describe('GET /metrics', () => {
  let server: TestApp;
  let service: ServiceRecord;
  /** Every secret this suite made, for the check that the page holds none. */
  const secrets: string[] = [METRICS_TOKEN];

  before(async () => {
    server = await startTestApp({ HOIST_METRICS_TOKEN: METRICS_TOKEN });
    secrets.push(server.token);
    service = await addStoredService(server.store, 'hoist-test-metrics');
  });

  after(async () => {
    await server?.close();
  });

  test('answers 401 without the token or with a wrong one (or an API token), 200 with it', async () => {
    const url = `${server.url}/metrics`;
    for (const authorization of [
      undefined,
      'Bearer ',
      `Bearer ${METRICS_TOKEN}x`,
      `Bearer ${server.token}`,
      `Basic ${Buffer.from(`prometheus:${METRICS_TOKEN}`).toString('base64')}`,
    ]) {
      const response = await rawRequest(url, {
        method: 'GET',
        headers: authorization === undefined ? {} : { authorization },
      });
      assert.equal(response.status, 401, `${authorization}: ${response.text}`);
      const body = JSON.parse(response.text) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'unauthorized');
      assert.match(body.error.message, /HOIST_METRICS_TOKEN/);
      assert.ok(!response.text.includes(METRICS_TOKEN));
    }
    const ok = await rawRequest(url, {
      method: 'GET',
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    assert.equal(ok.status, 200, ok.text);
    assert.match(String(ok.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(ok.text, /^# TYPE hoist_calls_total counter$/m);
  });

  test('counts handler and registry endpoint calls by result; reads the queue and the engine', async () => {
    const before = await metricsPage(server.url, METRICS_TOKEN);
    const handler = await createWebhook(server, service.id, 'metrics');
    secrets.push(tokenOf(handler.url));
    const hook = (url: string, init: RequestInit = {}) => fetch(url, { method: 'POST', ...init });

    // Three calls: the first is accepted; while it waits (the engine is down), one of the
    // next two at least joins a waiting redeploy.
    for (let i = 0; i < 3; i++) assert.equal((await hook(handler.url)).status, 202);
    const otherImage = await hook(handler.url, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(dockerHubPayload('someone/else', 'latest')),
    });
    assert.equal(otherImage.status, 200);
    assert.equal((await hook(`${handler.url}/3`)).status, 400);
    assert.equal(
      (await hook(`${server.url}/hooks/${randomBytes(32).toString('base64url')}`)).status,
      404,
    );

    const registry = await server.api<{ url: string }>('POST', '/api/v1/registries', {
      name: 'metrics',
    });
    assert.equal(registry.status, 201);
    secrets.push(registry.body.url.split('/').pop() ?? '');
    assert.equal((await hook(registry.body.url)).status, 200);
    const unknownRegistry = `${server.url}/registry-events/${randomBytes(32).toString('base64url')}`;
    assert.equal((await hook(unknownRegistry)).status, 404);

    const page = await metricsPage(server.url, METRICS_TOKEN);
    const delta = (kind: string, result: string) => {
      const labels = { kind, result };
      return (
        sample(page, 'hoist_calls_total', labels) - sample(before, 'hoist_calls_total', labels)
      );
    };
    assert.equal(delta('hook', 'accepted') + delta('hook', 'coalesced'), 3);
    assert.ok(delta('hook', 'accepted') >= 1);
    assert.ok(delta('hook', 'coalesced') >= 1);
    assert.equal(delta('hook', 'ignored'), 1);
    assert.equal(delta('hook', 'refused'), 1);
    assert.equal(delta('hook', 'unknown_token'), 1);
    assert.equal(delta('registry', 'ignored'), 1);
    assert.equal(delta('registry', 'unknown_token'), 1);
    assert.equal(delta('registry', 'accepted'), 0);

    // Whatever the worker has claimed, the service has a redeploy waiting behind or in it.
    assert.ok(
      sample(page, 'hoist_action_queue_depth') + sample(page, 'hoist_actions_in_progress') >= 1,
    );
    assert.equal(sample(page, 'hoist_engine_reachable', { engine: 'local' }), 0);
  });

  test('counts a repeated delivery as ignored, a rate-limited or badly signed call as refused', async () => {
    const before = await metricsPage(server.url, METRICS_TOKEN);
    const create = async (name: string, options: Record<string, unknown>) => {
      const created = await server.api<{ url: string; signingSecret?: string }>(
        'POST',
        `/api/v1/services/${service.id}/webhooks`,
        { name, ...options },
      );
      assert.equal(created.status, 201, JSON.stringify(created.body));
      secrets.push(tokenOf(created.body.url));
      if (created.body.signingSecret) secrets.push(created.body.signingSecret);
      return created.body;
    };
    const send = (url: string, body: string, headers: Record<string, string> = {}) =>
      rawRequest(url, { headers: { 'content-type': 'application/json', ...headers }, body });

    // The same delivery (by its X-GitHub-Delivery id) twice: the second is a repeat.
    const repeated = await create('metrics repeated', {});
    const delivery = { 'x-github-delivery': randomBytes(8).toString('hex') };
    const first = await send(repeated.url, '{}', delivery);
    assert.equal(first.status, 202, first.text);
    const repeat = await send(repeated.url, '{}', delivery);
    assert.equal(repeat.status, 200, repeat.text);

    const limited = await create('metrics limited', { rateLimitPerMinute: 1 });
    assert.equal((await send(limited.url, '{}')).status, 202);
    const overLimit = await send(limited.url, '{}');
    assert.equal(overLimit.status, 429, overLimit.text);

    const signed = await create('metrics signed', { signed: true });
    const body = '{"ref":"refs/heads/main"}';
    const badSignature = await send(signed.url, body, {
      'x-hub-signature-256': gitHubSignature('not the signing secret', body),
    });
    assert.equal(badSignature.status, 401, badSignature.text);

    const page = await metricsPage(server.url, METRICS_TOKEN);
    const delta = (result: string) =>
      sample(page, 'hoist_calls_total', { kind: 'hook', result }) -
      sample(before, 'hoist_calls_total', { kind: 'hook', result });
    // The first delivery and the limited handler's first call join or start a redeploy.
    assert.equal(delta('accepted') + delta('coalesced'), 2);
    assert.equal(delta('ignored'), 1);
    assert.equal(delta('refused'), 2);
  });

  test('holds no secret, and every label value of a hoist_ series comes from a fixed list', async () => {
    const page = await metricsPage(server.url, METRICS_TOKEN);
    for (const secret of secrets) {
      assert.ok(!page.includes(secret.slice(0, 12)), 'the page holds (part of) a secret');
    }
    const allowed: Record<string, RegExp> = {
      kind: /^(hook|registry)$/,
      result: /^(accepted|coalesced|ignored|refused|unknown_token)$/,
      type: /^(redeploy|scale)$/,
      state: /^(Success|Failed|Canceled)$/,
      engine: /^local$/,
      le: /^([\d.]+|\+Inf)$/,
      // Bounded by the number of services.
      service_id: /^[0-9a-f-]{36}$/,
      service: /./,
    };
    const lines = page.split('\n').filter((line) => line.startsWith('hoist_'));
    assert.ok(lines.length >= 19, page);
    for (const line of lines) {
      for (const [, name = '', value = ''] of line.matchAll(/(\w+)="([^"]*)"/g)) {
        assert.ok(allowed[name]?.test(value), `label ${name}="${value}" in ${line}`);
      }
    }
  });
});

describe('GET /metrics when metrics are off (the default)', () => {
  let server: TestApp;

  before(async () => {
    server = await startTestApp();
  });

  after(async () => {
    await server?.close();
  });

  test('answers 404 with how to turn them on', async () => {
    const response = await rawRequest(`${server.url}/metrics`, { method: 'GET' });
    assert.equal(response.status, 404);
    assert.match(response.text, /HOIST_METRICS=true/);
  });
});

describe('GET /metrics with HOIST_METRICS=true and no token', () => {
  let server: TestApp;

  before(async () => {
    server = await startTestApp({ HOIST_METRICS: 'true' });
  });

  after(async () => {
    await server?.close();
  });

  test('is open', async () => {
    const response = await rawRequest(`${server.url}/metrics`, { method: 'GET' });
    assert.equal(response.status, 200);
    assert.equal(
      sample(response.text, 'hoist_calls_total', { kind: 'hook', result: 'accepted' }),
      0,
    );
  });
});
