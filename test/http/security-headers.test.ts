/**
 * Every HTML page Hoist serves (the API docs, the web UI or its "not built" page) carries the
 * same protection: no framing, no sniffing, no Referer. In process, over real HTTP, no Docker.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helper.js';
import { rawRequest } from '../support/raw-http.js';

describe('security headers on HTML pages', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(() => app?.close());

  // `/` is the web UI's page, or the page saying it is not built: HTML either way.
  for (const route of ['/api/docs', '/api/docs/', '/', '/services/some-id']) {
    test(`GET ${route}`, async () => {
      const page = await rawRequest(`${app.url}${route}`, { method: 'GET' });
      assert.match(String(page.headers['content-type']), /^text\/html/, `${page.status}`);
      const csp = String(page.headers['content-security-policy']);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /frame-ancestors 'self'/);
      // Hoist is often reached over plain http: forcing https would break the page.
      assert.doesNotMatch(csp, /upgrade-insecure-requests/);
      assert.equal(page.headers['x-frame-options'], 'DENY');
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.equal(page.headers['referrer-policy'], 'no-referrer');
    });
  }

  test('JSON answers are left as they are', async () => {
    const health = await rawRequest(`${app.url}/healthz`, { method: 'GET' });
    assert.match(String(health.headers['content-type']), /^application\/json/);
    assert.equal(health.headers['x-frame-options'], undefined);
  });
});
