/**
 * HTTPS without a proxy: certificates made by openssl, served by an
 * in-process Hoist (test/helper.ts, no Docker); handler URLs printed with
 * https://; a renewed certificate (new key, serial and subject) served
 * without a restart, when its files change, when a symlink is swapped under
 * them (Kubernetes secrets, certbot's live/) and on SIGHUP; a bad renewal
 * logged while the old certificate stays; a bad certificate at start refused
 * with the file named.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ConfigError } from '../../src/config.js';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import { makeSelfSigned } from '../support/self-signed.js';
import { freePort, waitFor } from '../support/test-engine.js';

const run = promisify(execFile);

/**
 * Runs `node --import tsx <entry> ...args` with only `env` (plus PATH and a
 * fresh HOME, so no saved login is read), as `docker exec` would in the image.
 */
async function runEntry(entry: string, args: string[], env: Record<string, string>) {
  const home = await mkdtemp(path.join(tmpdir(), 'hoist-tls-home-'));
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', entry, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  } finally {
    await rm(home, { recursive: true, force: true });
  }
}

/** A self-signed certificate for 127.0.0.1 with its own new key and this serial. */
const makePair = (dir: string, name: string, serial: number) =>
  makeSelfSigned(dir, name, { serial });

/** The certificate the server presents now, read from a fresh TLS handshake. */
function peerCertificate(port: number): Promise<{ subject: string; serial: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const peer = socket.getPeerCertificate();
      socket.end();
      resolve({ subject: String(peer.subject.CN), serial: peer.serialNumber });
    });
    socket.on('error', reject);
  });
}

/** One HTTPS request that trusts only `ca` (the server's own self-signed certificate). */
function httpsRequest(
  url: string,
  ca: Buffer,
  options: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        ca,
        agent: false,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('HTTPS', () => {
  let dir: string;
  let server: TestApp;
  let port: number;
  let certFile: string;
  let keyFile: string;

  /** Puts the pair `name` where the server's files are, as a renewal tool would. */
  const install = async (pair: { cert: string; key: string }) => {
    // The key rewritten in place, the certificate replaced by a rename: tools do either.
    await writeFile(keyFile, await readFile(pair.key));
    await copyFile(pair.cert, `${certFile}.new`);
    await rename(`${certFile}.new`, certFile);
  };
  const loaded = (why: string, serial: string) =>
    server
      .logs()
      .split('\n')
      .some(
        (line) =>
          line.includes('"msg":"TLS certificate loaded"') &&
          line.includes(`"why":"${why}"`) &&
          line.includes(`"serialNumber":"${serial}"`),
      );

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hoist-tls-'));
    const first = await makePair(dir, 'hoist-first', 0x1001);
    certFile = path.join(dir, 'server.crt');
    keyFile = path.join(dir, 'server.key');
    await install(first);
    // HOIST_PUBLIC_URL empty is unset: handler URLs are then made from the default.
    server = await startTestApp({
      HOIST_TLS_CERT_FILE: certFile,
      HOIST_TLS_KEY_FILE: keyFile,
      HOIST_PUBLIC_URL: '',
    });
    port = Number(new URL(server.url).port);
  });

  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('serves HTTPS with the certificate; handler URLs start with https://', async () => {
    assert.equal(server.url.startsWith('https://'), true, server.url);
    assert.deepEqual(await peerCertificate(port), { subject: 'hoist-first', serial: '1001' });
    const ca = await readFile(certFile);
    assert.equal((await httpsRequest(`${server.url}/healthz`, ca)).status, 200);

    const service = await addStoredService(server.store, 'hoist-test-tls');
    const created = await httpsRequest(`${server.url}/api/v1/services/${service.id}/webhooks`, ca, {
      method: 'POST',
      token: server.token,
      body: { name: 'tls' },
    });
    assert.equal(created.status, 201, created.text);
    const { url } = JSON.parse(created.text) as { url: string };
    assert.ok(url.startsWith(`https://localhost:${port}/hooks/`), url);
    const called = await httpsRequest(url.replace('localhost', '127.0.0.1'), ca, {
      method: 'POST',
    });
    assert.equal(called.status, 202, called.text);
  });

  test("the image's healthcheck and the CLI's default URL speak HTTPS to the server", async () => {
    const env = {
      HOIST_HOST: '127.0.0.1',
      HOIST_PORT: String(port),
      HOIST_TLS_CERT_FILE: certFile,
      HOIST_TLS_KEY_FILE: keyFile,
      HOIST_DATA_DIR: server.dataDir,
    };
    const healthy = await runEntry('src/healthcheck.ts', [], env);
    assert.equal(healthy.code, 0, healthy.stderr);
    const down = await runEntry('src/healthcheck.ts', [], {
      ...env,
      HOIST_PORT: String(await freePort()),
    });
    assert.equal(down.code, 1, down.stderr);
    assert.match(down.stderr, /healthcheck: https:\/\/127\.0\.0\.1:\d+\/healthz: /);

    // As `docker exec hoist hoist service ls`: no HOIST_URL, no login, no token.
    // This server has no Docker engine, so its answer is that error: proof the
    // CLI reached it over HTTPS with the data dir's token.
    const listed = await runEntry('src/cli/main.ts', ['service', 'ls'], env);
    assert.doesNotMatch(listed.stderr, /cannot reach Hoist|no API token/, listed.stderr);
    assert.match(listed.stderr, /hoist: Cannot reach the Docker engine at unix:/, listed.stderr);
  });

  test('serves a renewed certificate without a restart once its files change', async () => {
    await install(await makePair(dir, 'hoist-renewed', 0x2002));
    await waitFor(
      'the renewed certificate',
      async () => (await peerCertificate(port)).subject === 'hoist-renewed',
    );
    assert.deepEqual(await peerCertificate(port), { subject: 'hoist-renewed', serial: '2002' });
    assert.ok(loaded('file changed', '2002'), server.logs());
  });

  test('reloads on SIGHUP', async () => {
    await install(await makePair(dir, 'hoist-hangup', 0x3003));
    process.kill(process.pid, 'SIGHUP');
    await waitFor('the reload on SIGHUP', () => loaded('SIGHUP', '3003'));
    assert.deepEqual(await peerCertificate(port), { subject: 'hoist-hangup', serial: '3003' });
  });

  test('a bad renewal is logged and the certificate in use stays', async () => {
    await writeFile(certFile, 'not a certificate\n');
    process.kill(process.pid, 'SIGHUP');
    const refused = await waitFor('the refused reload', () =>
      server
        .logs()
        .split('\n')
        .find((line) => line.includes('TLS certificate not reloaded')),
    );
    assert.match(refused, /"level":50/);
    assert.match(refused, /HOIST_TLS_CERT_FILE/);
    assert.ok(refused.includes(certFile), refused);
    assert.deepEqual(await peerCertificate(port), { subject: 'hoist-hangup', serial: '3003' });
    const ca = await readFile(path.join(dir, 'hoist-hangup.crt'));
    assert.equal((await httpsRequest(`${server.url}/healthz`, ca)).status, 200);
  });
});

describe('HTTPS on certificate files reached through a symlink that is swapped', () => {
  let dir: string;
  let server: TestApp | undefined;

  /**
   * As Kubernetes mounts a secret: tls.crt and tls.key are symlinks into `..data`, itself a
   * symlink to the current version's directory; a renewal writes a new directory and renames
   * a new `..data` link over the old one. The files Hoist was given never change themselves.
   */
  const publish = async (version: string, pair: { cert: string; key: string }) => {
    await mkdir(path.join(dir, version));
    await copyFile(pair.cert, path.join(dir, version, 'tls.crt'));
    await copyFile(pair.key, path.join(dir, version, 'tls.key'));
    await symlink(version, path.join(dir, '..data_tmp'));
    await rename(path.join(dir, '..data_tmp'), path.join(dir, '..data'));
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hoist-tls-link-'));
    await publish('v1', await makePair(dir, 'hoist-linked', 0x4004));
    await symlink('..data/tls.crt', path.join(dir, 'tls.crt'));
    await symlink('..data/tls.key', path.join(dir, 'tls.key'));
    server = await startTestApp({
      HOIST_TLS_CERT_FILE: path.join(dir, 'tls.crt'),
      HOIST_TLS_KEY_FILE: path.join(dir, 'tls.key'),
    });
  });

  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('serves the new pair once the link is swapped, without a restart or a signal', async () => {
    const port = Number(new URL(server?.url ?? '').port);
    assert.deepEqual(await peerCertificate(port), { subject: 'hoist-linked', serial: '4004' });
    await publish('v2', await makePair(dir, 'hoist-swapped', 0x5005));
    await waitFor(
      'the certificate behind the swapped link',
      async () => (await peerCertificate(port)).subject === 'hoist-swapped',
    );
    assert.deepEqual(await peerCertificate(port), { subject: 'hoist-swapped', serial: '5005' });
    assert.match(server?.logs() ?? '', /"why":"file changed".*"serialNumber":"5005"/);
  });
});

describe('HTTPS with a certificate that does not load', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hoist-tls-bad-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Starting must fail with a ConfigError whose message names `file` and matches `why`. */
  const refusedStart = async (cert: string, key: string, file: string, why: RegExp) => {
    const dataDir = await mkdtemp(path.join(dir, 'data-'));
    await assert.rejects(
      startTestApp({ HOIST_TLS_CERT_FILE: cert, HOIST_TLS_KEY_FILE: key, HOIST_DATA_DIR: dataDir }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, String(error));
        assert.ok(error.message.includes(file), error.message);
        assert.match(error.message, why);
        return true;
      },
    );
  };

  test('refuses to start, naming the file: missing, not PEM, or a key of another certificate', async () => {
    const good = await makePair(dir, 'good', 1);
    const other = await makePair(dir, 'other', 2);
    const missing = path.join(dir, 'missing.crt');
    await refusedStart(missing, good.key, missing, /HOIST_TLS_CERT_FILE .* cannot be read: ENOENT/);
    const garbage = path.join(dir, 'garbage.crt');
    await writeFile(garbage, 'not a certificate\n');
    await refusedStart(
      garbage,
      good.key,
      garbage,
      /HOIST_TLS_CERT_FILE .* holds no PEM certificate/,
    );
    await refusedStart(
      good.cert,
      good.cert,
      good.cert,
      /HOIST_TLS_KEY_FILE .* holds no PEM private key/,
    );
    await refusedStart(
      good.cert,
      other.key,
      other.key,
      /HOIST_TLS_KEY_FILE .* is not the key of the certificate/,
    );
  });
});
