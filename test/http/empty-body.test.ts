/**
 * Many clients send `Content-Type: application/json` on every request, bodiless ones too. An
 * empty body is no body: routes that take none act as if no Content-Type had been sent (a
 * revoke revokes), and routes that need one say the body is empty. In process, no Docker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import type { ErrorBody } from '../support/api-bodies.js';
import { rawRequest, tokenOf } from '../support/raw-http.js';
import { createWebhook } from '../support/scenario.js';

describe('an empty body sent as application/json', () => {
  let app: TestApp;
  let service: ServiceRecord;
  const send = (method: string, route: string, contentType?: string) =>
    rawRequest(`${app.url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${app.token}`,
        ...(contentType ? { 'content-type': contentType } : {}),
      },
    });

  before(async () => {
    app = await startTestApp();
    service = await addStoredService(app.store, 'hoist-test-empty-body');
  });
  after(() => app?.close());

  test('revokes a handler: DELETE answers 204 and its URL 404 at once', async () => {
    const { webhook, url } = await createWebhook(app, service.id, 'ci');
    const revoke = await send(
      'DELETE',
      `/api/v1/services/${service.id}/webhooks/${webhook.id}`,
      'application/json',
    );
    assert.equal(revoke.status, 204, revoke.text);
    const read = await app.api<{ revokedAt: string | null }>(
      'GET',
      `/api/v1/services/${service.id}/webhooks/${webhook.id}`,
    );
    assert.notEqual(read.body.revokedAt, null, 'revoked');
    const call = await rawRequest(`${app.url}/hooks/${tokenOf(url)}`);
    assert.equal(call.status, 404);
  });

  test('revokes a registry endpoint', async () => {
    const created = await app.api<{ registry: { id: string } }>('POST', '/api/v1/registries', {
      name: 'main',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const revoke = await send(
      'DELETE',
      `/api/v1/registries/${created.body.registry.id}`,
      'application/json; charset=utf-8',
    );
    assert.equal(revoke.status, 204, revoke.text);
  });

  test('a redeploy answers as it does with no Content-Type at all', async () => {
    const route = `/api/v1/services/${service.id}/redeploy`;
    const plain = await send('POST', route);
    const json = await send('POST', route, 'application/json');
    assert.notEqual(json.status, 400, json.text);
    assert.equal(json.status, plain.status, `${json.text} vs ${plain.text}`);
  });

  test('a route that needs a body says it is empty', async () => {
    const answer = await send(
      'POST',
      `/api/v1/services/${service.id}/webhooks`,
      'application/json',
    );
    assert.equal(answer.status, 400, answer.text);
    const body = JSON.parse(answer.text) as ErrorBody;
    assert.equal(body.error.code, 'bad_request');
    assert.match(body.error.message, /The body is empty; send a JSON object/);
  });

  test('malformed JSON is still refused as such', async () => {
    const answer = await rawRequest(`${app.url}/api/v1/services/${service.id}/webhooks`, {
      headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    assert.equal(answer.status, 400, answer.text);
    assert.match((JSON.parse(answer.text) as ErrorBody).error.message, /not valid JSON/);
  });
});
