/**
 * The container image's HEALTHCHECK: exits 0 when this container's Hoist
 * answers GET /healthz within the time Docker gives it, 1 otherwise. Node
 * itself, so the image needs no curl or wget. Reads the port, address and
 * TLS from the same settings as the server: with HOIST_TLS_CERT_FILE set the
 * server speaks only HTTPS, so the probe must too.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { loadConfig } from './config.js';

const TIMEOUT_MS = 4_000;

const { port, host, tls } = loadConfig();
// A server listening on every address answers on loopback.
const address = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const scheme = tls ? 'https' : 'http';

const onResponse = (res: IncomingMessage) => {
  res.resume();
  process.exit(res.statusCode === 200 ? 0 : 1);
};
const options = { host: address, port, path: '/healthz', timeout: TIMEOUT_MS };
// The certificate names the public host, not this loopback address, and the
// probe asks only "is the server up", so it does not check the certificate.
const probe = tls
  ? httpsRequest({ ...options, rejectUnauthorized: false }, onResponse)
  : httpRequest(options, onResponse);
probe.on('timeout', () => probe.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
probe.on('error', (error) => {
  process.stderr.write(`healthcheck: ${scheme}://${address}:${port}/healthz: ${error.message}\n`);
  process.exit(1);
});
probe.end();
