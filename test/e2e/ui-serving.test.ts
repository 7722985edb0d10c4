/**
 * How the server hands out the web UI (src/http/routes/ui-routes.ts): the
 * built files with their cache headers, index.html for the UI's own pages,
 * never for API or hook paths, and a 503 page saying how to build it when
 * there is no build. First against a bare Fastify with a made-up build, then
 * against a real Hoist server and the real web/dist.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { uiRoutes } from '../../src/http/routes/ui-routes.js';
import { assertWebBuilt } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const INDEX =
  '<!doctype html><title>Hoist</title><script type="module" src="/assets/index-Ab12_c.js"></script>';

describe('the UI routes, on a made-up build', () => {
  let app: FastifyInstance;
  let dist: string;

  before(async () => {
    dist = await mkdtemp(path.join(tmpdir(), 'hoist-web-dist-'));
    app = Fastify();
    await app.register(async (ui) => uiRoutes(ui, { distDir: dist }));
    await app.ready();
  });

  after(async () => {
    await app?.close();
    await rm(dist, { recursive: true, force: true });
  });

  test('without a build, pages answer 503 saying to run npm run build', async () => {
    for (const url of ['/', '/services', '/services/abc/webhooks']) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 503, url);
      assert.match(response.headers['content-type'] as string, /^text\/html/);
      assert.match(response.body, /npm run build/);
    }
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/services' })).statusCode, 404);
  });

  test('with a build: index.html (no-cache, CSP) for pages, hashed assets cached for a year', async () => {
    await mkdir(path.join(dist, 'assets'), { recursive: true });
    await writeFile(path.join(dist, 'index.html'), INDEX);
    await writeFile(path.join(dist, 'assets', 'index-Ab12_c.js'), 'console.log(1);');
    await writeFile(path.join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');

    for (const url of ['/', '/services', '/services/abc/webhooks', '/activity?state=Failed']) {
      const response = await app.inject({ method: 'GET', url });
      assert.equal(response.statusCode, 200, url);
      assert.equal(response.body, INDEX, url);
      assert.equal(response.headers['cache-control'], 'no-cache', url);
      assert.match(response.headers['content-security-policy'] as string, /default-src 'self'/);
      assert.match(response.headers['content-security-policy'] as string, /frame-ancestors 'none'/);
    }
    const head = await app.inject({ method: 'HEAD', url: '/services' });
    assert.equal(head.statusCode, 200);

    const asset = await app.inject({ method: 'GET', url: '/assets/index-Ab12_c.js' });
    assert.equal(asset.statusCode, 200);
    assert.match(asset.headers['content-type'] as string, /javascript/);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');

    const icon = await app.inject({ method: 'GET', url: '/favicon.svg' });
    assert.equal(icon.statusCode, 200);
    assert.equal(icon.headers['cache-control'], 'no-cache');
  });

  test('API and hook paths, missing files and odd paths never get index.html', async () => {
    const notIndex = [
      '/api/v1/nope',
      '/API/v1/nope',
      '/api',
      '/hooks/abc/def/ghi',
      '/HOOKS/abc',
      '//hooks/abc',
      '/hooks%2Fabc',
      '/healthz/x',
      '/assets/missing-123.js',
    ];
    for (const url of notIndex) {
      const response = await app.inject({ method: 'GET', url });
      assert.ok(response.statusCode >= 400, `${url} answered ${response.statusCode}`);
      assert.notEqual(response.body, INDEX, url);
    }
    assert.equal((await app.inject({ method: 'POST', url: '/services' })).statusCode, 404);
  });
});

describe('the UI routes in a real Hoist server', () => {
  let server: TestServer;

  before(async () => {
    assertWebBuilt();
    server = await startTestServer();
  });

  after(async () => {
    await server?.close();
  });

  test('serve the built UI at / and its pages, and leave the API alone', async () => {
    const index = await fetch(`${server.url}/`);
    assert.equal(index.status, 200);
    const html = await index.text();
    assert.match(html, /<div id="root"><\/div>/);
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(script, html);
    const asset = await fetch(server.url + script);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /immutable/);

    const page = await fetch(`${server.url}/services/00000000-0000-4000-8000-000000000000`);
    assert.equal(page.status, 200);
    assert.equal(await page.text(), html);

    const unknown = await fetch(`${server.url}/api/v1/nope`, {
      headers: { authorization: `Bearer ${server.token}` },
    });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'not_found');
    assert.equal((await fetch(`${server.url}/api/v1/services`)).status, 401);
    assert.equal((await fetch(`${server.url}/api/docs/json`)).status, 200);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${server.url}/hooks/not-a-token`)).status, 405);
    assert.equal((await fetch(`${server.url}/hooks/not-a-token`, { method: 'POST' })).status, 404);
  });

  test('paths that climb out of web/dist are refused', async () => {
    // Sent as written (fetch would resolve the dots first).
    for (const raw of [
      '/assets/../../package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
    ]) {
      const { status, body } = await rawGet(server.url, raw);
      assert.ok(status >= 400, `${raw} answered ${status}`);
      assert.ok(!body.includes('"name": "hoist"'), `${raw} served package.json`);
    }
  });
});

function rawGet(base: string, rawPath: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
