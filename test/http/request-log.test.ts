/**
 * What reaches the log: every request is logged, /hooks/ paths only as
 * /hooks/[redacted], and no handler token or API token shows anywhere, after
 * handlers were created, called in every way, refused and revoked. In
 * process, over real HTTP; no Docker (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import { headOnlyRequest, rawRequest, tokenOf } from '../support/raw-http.js';
import { createWebhook } from '../support/scenario.js';

const MiB = 1024 * 1024;

describe('the log', () => {
  let server: TestApp;
  let service: ServiceRecord;
  /** Every handler token this suite saw, for the log check. */
  const tokens: string[] = [];

  const newHandler = async (name: string) => {
    const created = await createWebhook(server, service.id, name);
    tokens.push(tokenOf(created.url));
    return created;
  };

  before(async () => {
    server = await startTestApp();
    service = await addStoredService(server.store, 'hoist-test-http-api');
    // Handlers with a history: called, refused a duplicate name, revoked and called again.
    const called = await newHandler('called');
    assert.equal((await rawRequest(called.url)).status, 202);
    assert.equal(
      (await server.api('POST', `/api/v1/services/${service.id}/webhooks`, { name: 'called' }))
        .status,
      409,
    );
    const revoked = await newHandler('revoked');
    const route = `/api/v1/services/${service.id}/webhooks/${revoked.webhook.id}`;
    assert.equal((await server.api('DELETE', route)).status, 204);
    assert.equal((await rawRequest(revoked.url)).status, 404);
  });

  after(async () => {
    await server?.close();
  });

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
