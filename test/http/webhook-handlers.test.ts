/**
 * Handler management under /api/v1/services/{id}/webhooks: create (the secret
 * URL shown once), names, input validation, unknown services and handlers,
 * and revocation. In process, over real HTTP, on service records written into
 * the store; no Docker (test/helper.ts). That the URL shows in no service
 * read, which asks the engine, is in test/integration/engine-api.test.ts.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import type { CreatedWebhook, ErrorBody } from '../support/api-bodies.js';
import { rawRequest, tokenOf } from '../support/raw-http.js';
import { gitHubSignature, standardWebhooksHeaders } from '../support/registry-payloads.js';
import { createWebhook } from '../support/scenario.js';
import { webhookRows } from '../support/sqlite-rows.js';

describe('webhook handlers', () => {
  let server: TestApp;
  let service: ServiceRecord;

  const create = async (name: unknown, extra: Record<string, unknown> = {}) =>
    server.api<CreatedWebhook & ErrorBody>('POST', `/api/v1/services/${service.id}/webhooks`, {
      name,
      ...extra,
    });

  const newHandler = (name: string) => createWebhook(server, service.id, name);

  before(async () => {
    server = await startTestApp();
    service = await addStoredService(server.store, 'hoist-test-http-api');
  });

  after(async () => {
    await server?.close();
  });

  test('create answers 201 with the secret URL, shown only there', async () => {
    const before = Date.now();
    const created = await create('docker hub');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { webhook, url } = created.body;
    const token = tokenOf(url);
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

  test('signatureScheme: standard-webhooks is kept and shown; it needs signed, and is any by default', async () => {
    const only = await create('sw only', { signed: true, signatureScheme: 'standard-webhooks' });
    assert.equal(only.status, 201, JSON.stringify(only.body));
    assert.equal(only.body.webhook.signatureScheme, 'standard-webhooks');
    const either = await create('either scheme', { signed: true });
    assert.equal(either.body.webhook.signatureScheme, 'any');
    const unsigned = await create('unsigned any', { signatureScheme: 'any' });
    assert.equal(unsigned.status, 201, JSON.stringify(unsigned.body));

    const route = `/api/v1/services/${service.id}/webhooks`;
    const listed = await server.api<{ webhooks: CreatedWebhook['webhook'][] }>('GET', route);
    const schemeOf = (id: string) => listed.body.webhooks.find((w) => w.id === id)?.signatureScheme;
    assert.equal(schemeOf(only.body.webhook.id), 'standard-webhooks');
    assert.equal(schemeOf(either.body.webhook.id), 'any');
    const one = await server.api<CreatedWebhook['webhook']>(
      'GET',
      `${route}/${only.body.webhook.id}`,
    );
    assert.equal(one.body.signatureScheme, 'standard-webhooks');

    const notSigned = await create('not signed', { signatureScheme: 'standard-webhooks' });
    assert.equal(notSigned.status, 400, JSON.stringify(notSigned.body));
    assert.match(notSigned.body.error.message, /signed handlers: add "signed": true/);
    const unknown = await create('unknown scheme', { signed: true, signatureScheme: 'github' });
    assert.equal(unknown.status, 400, JSON.stringify(unknown.body));
    assert.match(unknown.body.error.message, /signatureScheme.*allowed: any, standard-webhooks/);
  });

  test('a Standard Webhooks-only handler refuses GitHub signatures; the Standard Webhooks headers decide', async () => {
    const created = await create('sw calls', {
      signed: true,
      signatureScheme: 'standard-webhooks',
    });
    const { url, signingSecret } = created.body;
    const secret = signingSecret ?? '';
    const body = '{"ref":"refs/heads/main"}';
    const send = (headers: Record<string, string>) =>
      rawRequest(url, { headers: { 'content-type': 'application/json', ...headers }, body });
    const goodGitHub = { 'x-hub-signature-256': gitHubSignature(secret, body) };
    const badGitHub = { 'x-hub-signature-256': gitHubSignature('another secret', body) };
    const badStandard = standardWebhooksHeaders(
      `whsec_${Buffer.alloc(32, 9).toString('base64')}`,
      body,
    );

    const github = await send(goodGitHub);
    assert.equal(github.status, 401, github.text);
    const error = (JSON.parse(github.text) as ErrorBody).error;
    assert.equal(error.code, 'signature_invalid');
    assert.match(error.message, /this handler accepts Standard Webhooks signatures only/);

    const standard = await send(standardWebhooksHeaders(secret, body));
    assert.equal(standard.status, 202, standard.text);
    const withBadGitHub = await send({ ...standardWebhooksHeaders(secret, body), ...badGitHub });
    assert.equal(withBadGitHub.status, 202, withBadGitHub.text);
    const badWithGoodGitHub = await send({ ...badStandard, ...goodGitHub });
    assert.equal(badWithGoodGitHub.status, 401, badWithGoodGitHub.text);
    assert.match(badWithGoodGitHub.text, /no v1 signature in webhook-signature matches the body/);

    // On a handler that takes either scheme, the Standard Webhooks headers decide just the same.
    const either = await create('either calls', { signed: true });
    const eitherSecret = either.body.signingSecret ?? '';
    const eitherGitHub = { 'x-hub-signature-256': gitHubSignature(eitherSecret, body) };
    const sendEither = (headers: Record<string, string>) =>
      rawRequest(either.body.url, {
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    assert.equal((await sendEither(eitherGitHub)).status, 202);
    assert.equal((await sendEither({ ...badStandard, ...eitherGitHub })).status, 401);
    assert.equal(
      (await sendEither({ ...standardWebhooksHeaders(eitherSecret, body), ...badGitHub })).status,
      202,
    );
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
    assert.ok(shown.revokedAt && !Number.isNaN(Date.parse(shown.revokedAt)), shown.revokedAt ?? '');
    assert.equal(shown.callCount, 1, 'the refused call after revoking is not counted');

    const again = await server.api('DELETE', route);
    assert.equal(again.status, 204, 'revoking is idempotent');
    const after = await server.api<CreatedWebhook['webhook']>('GET', route);
    assert.equal(after.body.revokedAt, shown.revokedAt, 'the first revocation time stays');

    // Another existing service does not own this handler.
    const other = await addStoredService(server.store, 'hoist-test-http-other');
    const foreign = await server.api<ErrorBody>(
      'DELETE',
      `/api/v1/services/${other.id}/webhooks/${created.webhook.id}`,
    );
    assert.equal(foreign.status, 404);
    assert.equal(foreign.body.error.code, 'webhook_not_found');
  });
});
