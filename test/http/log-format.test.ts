/**
 * HOIST_LOG_FORMAT=pretty: one readable line per event, not JSON, with the
 * same redaction as the JSON lines (a /hooks/ path shows as
 * /hooks/[redacted], no token anywhere). The JSON form is request-log.test.ts.
 * In process, over real HTTP; no Docker (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import { rawRequest, tokenOf } from '../support/raw-http.js';
import { createWebhook } from '../support/scenario.js';

describe('the log with HOIST_LOG_FORMAT=pretty', () => {
  let server: TestApp;

  before(async () => {
    server = await startTestApp({ HOIST_LOG_FORMAT: 'pretty' });
  });

  after(async () => {
    await server?.close();
  });

  test('is one readable line per event, secrets redacted as in JSON', async () => {
    const service = await addStoredService(server.store, 'hoist-test-pretty-log');
    const handler = await createWebhook(server, service.id, 'pretty');
    const token = tokenOf(handler.url);
    assert.equal((await rawRequest(handler.url)).status, 202);
    assert.equal((await rawRequest(`${server.url}/hooks/${token.slice(1)}`)).status, 404);
    // Let the last onResponse log lines land.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const lines = server.logs().split('\n').filter(Boolean);
    for (const line of lines) {
      assert.match(line, /^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR): \S/, line);
      assert.throws(() => JSON.parse(line) as unknown, `a JSON line: ${line}`);
    }
    assert.ok(lines.some((line) => /INFO: hoist is listening \{.*"publicUrl"/.test(line)));
    const calls = lines.filter(
      (line) => line.includes('INFO: request') && line.includes('/hooks/'),
    );
    assert.equal(calls.length, 2, calls.join('\n'));
    for (const line of calls) assert.match(line, /"url":"\/hooks\/\[redacted\]"/);
    for (const secret of [token, token.slice(1, 17), server.token]) {
      assert.ok(!server.logs().includes(secret), 'the log holds (part of) a secret');
    }
  });
});
