/**
 * The container image's HEALTHCHECK: exits 0 when this container's Hoist
 * answers GET /healthz within the time Docker gives it, 1 otherwise. Node
 * itself, so the image needs no curl or wget. Reads the port and address
 * from the same settings as the server.
 */
import { request } from 'node:http';
import { loadConfig } from './config.js';

const TIMEOUT_MS = 4_000;

const { port, host } = loadConfig();
// A server listening on every address answers on loopback.
const address = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;

const probe = request({ host: address, port, path: '/healthz', timeout: TIMEOUT_MS }, (res) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
});
probe.on('timeout', () => probe.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
probe.on('error', (error) => {
  process.stderr.write(`healthcheck: http://${address}:${port}/healthz: ${error.message}\n`);
  process.exit(1);
});
probe.end();
