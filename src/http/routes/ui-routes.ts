import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { DEFAULT_PAGE_CSP } from '../security-headers.js';

/** web/dist from src/http/routes (tsx) and from dist/http/routes (built) alike. */
const DEFAULT_DIST_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

/** Vite names every file under assets/ after a hash of its content: it never changes. */
const ASSET_MAX_AGE = '365d';

/** Paths the server answers itself: never the UI, so a mistyped API path stays a JSON 404. */
const SERVER_PATH = /^\/(api|hooks|healthz|readyz)(\/|%2f|$)/i;

/** The only file names served: what Vite writes, with no `..`, no `//` and no encoded bytes. */
const FILE_PATH = /^\/(?:[\w-]+(?:\.[\w-]+)*\/)*[\w-]+(?:\.[\w-]+)+$/;

/**
 * The page the UI routes itself gets none of the API's secrets, but it holds
 * an API token in sessionStorage: no inline or foreign script, no framing
 * (the other headers every HTML page gets are in security-headers.ts).
 */
const INDEX_HEADERS = {
  'cache-control': 'no-cache',
  'content-security-policy': DEFAULT_PAGE_CSP,
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Hoist: web UI not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The web UI is not built</h1>
<p>This Hoist server runs, but it has no web UI to serve: <code>web/dist</code> is missing.
Run <code>npm run build</code> in Hoist's folder, then reload this page.</p>
<p>The API works meanwhile: see <a href="/api/docs">/api/docs</a>.</p>
</body>
</html>
`;

/**
 * Serves the web UI built by Vite (web/dist) at `/`: its files by path, and
 * index.html for every other GET outside the API, since the UI routes its own
 * pages (/services/..., /activity). Without a build, those GETs answer a 503
 * page saying how to build it; whether a build exists is checked per request,
 * so building while the server runs is enough.
 */
export async function uiRoutes(app: FastifyInstance, options: { distDir?: string } = {}) {
  const root = options.distDir ?? DEFAULT_DIST_DIR;
  // No root here: it may not exist yet, and every file is sent by this module's handler.
  await app.register(fastifyStatic, { serve: false });

  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (SERVER_PATH.test(pathname.replace(/\/{2,}/g, '/'))) return reply.callNotFound();
    if (!existsSync(path.join(root, 'index.html'))) {
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_BUILT_PAGE);
    }
    if (pathname.startsWith('/assets/')) {
      if (!FILE_PATH.test(pathname)) return reply.callNotFound();
      return reply.sendFile(pathname, root, { maxAge: ASSET_MAX_AGE, immutable: true });
    }
    const lastSegment = pathname.slice(pathname.lastIndexOf('/') + 1);
    if (!lastSegment.includes('.') || pathname === '/index.html') {
      return reply.headers(INDEX_HEADERS).sendFile('index.html', root, { cacheControl: false });
    }
    if (!FILE_PATH.test(pathname)) return reply.callNotFound();
    // Other files (favicon) keep their names from build to build: revalidate each time.
    return reply.header('cache-control', 'no-cache').sendFile(pathname, root, {
      cacheControl: false,
    });
  };

  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, page);
}
