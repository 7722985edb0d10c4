/**
 * HttpCallbackSender against real HTTP(S) servers on 127.0.0.1: what arrives,
 * what is refused before any connection, redirects, timeouts, TLS. Every
 * server counts its TCP connections, so "refused" means nothing was sent.
 *
 * Every assert.ok carries a message: without one, Node 20 re-reads the source
 * to quote the failing expression, and under tsx's shifted positions that can
 * hang the test instead of failing it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { CallbackPolicy } from '../../src/adapters/callbacks/callback-policy.js';
import type { HostResolver } from '../../src/adapters/callbacks/http-callback-sender.js';
import {
  DEFAULT_CALLBACK_TIMEOUT_MS,
  HttpCallbackSender,
} from '../../src/adapters/callbacks/http-callback-sender.js';
import { makeSelfSigned } from '../support/self-signed.js';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface TestServer {
  port: number;
  connections: number;
  requests: Received[];
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const servers: Array<http.Server | https.Server> = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
});

/** Listens on 127.0.0.1:0; records every connection and every request with its body. */
async function serve(
  handler: Handler = (_req, res) => res.end('ok'),
  tls?: { key: string; cert: string },
): Promise<TestServer> {
  const record: TestServer = { port: 0, connections: 0, requests: [] };
  const onRequest: Handler = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      record.requests.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      handler(req, res);
    });
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  server.on('connection', () => record.connections++);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  record.port = (server.address() as AddressInfo).port;
  return record;
}

function localPolicy(...hosts: string[]): CallbackPolicy {
  return new CallbackPolicy({ allowedHosts: hosts, allowHttp: true, allowPrivateAddresses: true });
}

const CALLBACK = {
  state: 'success',
  description: 'Redeployed web to sha256:abc',
  context: 'Hoist',
  target_url: 'https://hoist.example.com/actions/1',
};

describe('HttpCallbackSender', () => {
  it('POSTs the exact JSON body with its headers to an allow-listed host', async () => {
    const server = await serve();
    const sender = new HttpCallbackSender({ policy: localPolicy(`127.0.0.1:${server.port}`) });

    const result = await sender.send(`http://127.0.0.1:${server.port}/hook/x?token=t`, CALLBACK);

    assert.deepEqual(result, { ok: true, status: 200 });
    assert.equal(server.requests.length, 1);
    const [received] = server.requests;
    assert.ok(received, 'the server received a request');
    assert.equal(received.method, 'POST');
    assert.equal(received.url, '/hook/x?token=t');
    assert.equal(received.body, JSON.stringify(CALLBACK));
    assert.deepEqual(JSON.parse(received.body), CALLBACK);
    assert.equal(received.headers['content-type'], 'application/json');
    assert.equal(received.headers['user-agent'], 'Hoist');
    assert.equal(received.headers['content-length'], String(Buffer.byteLength(received.body)));
    assert.equal(received.headers.host, `127.0.0.1:${server.port}`);
  });

  it('treats any 2xx as delivered', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 204;
      res.end();
    });
    const sender = new HttpCallbackSender({ policy: localPolicy(`127.0.0.1:${server.port}`) });
    assert.deepEqual(await sender.send(`http://127.0.0.1:${server.port}/`, CALLBACK), {
      ok: true,
      status: 204,
    });
  });

  it('does not follow a redirect, even to another allow-listed URL', async () => {
    const second = await serve();
    const first = await serve((_req, res) => {
      res.writeHead(302, { location: `http://127.0.0.1:${second.port}/next?token=SECRET` });
      res.end();
    });
    const sender = new HttpCallbackSender({
      policy: localPolicy(`127.0.0.1:${first.port}`, `127.0.0.1:${second.port}`),
    });

    const result = await sender.send(`http://127.0.0.1:${first.port}/`, CALLBACK);

    assert.equal(result.ok, false);
    assert.ok(!result.ok, JSON.stringify(result));
    assert.equal(result.status, 302);
    assert.match(result.reason, /answered 302 with a redirect/);
    assert.match(result.reason, new RegExp(`to http://127\\.0\\.0\\.1:${second.port};`));
    assert.doesNotMatch(result.reason, /\/next/);
    assert.match(result.reason, /redirects are not followed/);
    assert.doesNotMatch(result.reason, /SECRET/);
    assert.equal(first.requests.length, 1);
    assert.equal(second.connections, 0);
    assert.equal(second.requests.length, 0);
  });

  // A sender that never gave up would hang: the test's timeout fails it instead.
  it('gives up on a server that never answers after the timeout', { timeout: 30_000 }, async () => {
    const server = await serve(() => {
      // Never answers.
    });
    const sender = new HttpCallbackSender({
      policy: localPolicy(`127.0.0.1:${server.port}`),
      timeoutMs: 300,
    });

    const started = performance.now();
    const result = await sender.send(`http://127.0.0.1:${server.port}/slow`, CALLBACK);
    const elapsed = performance.now() - started;

    assert.ok(!result.ok, JSON.stringify(result));
    assert.equal(result.status, undefined);
    assert.match(result.reason, /http:\/\/127\.0\.0\.1:\d+ did not answer within 300 ms/);
    assert.doesNotMatch(result.reason, /\/slow/);
    assert.ok(elapsed >= 290, `gave up after ${elapsed} ms`);
    // The point of this bound: the sender kept to its own 300 ms, not the 5 s default (the
    // reason quotes the configured budget either way). It is 16 times the budget, so a busy
    // machine does not trip it; that it gave up at all is the test's timeout's concern.
    assert.ok(
      elapsed < DEFAULT_CALLBACK_TIMEOUT_MS,
      `gave up only after ${elapsed} ms, not within its 300 ms`,
    );
    assert.equal(server.requests.length, 1);
  });

  it('waits 5 s by default', () => {
    assert.equal(DEFAULT_CALLBACK_TIMEOUT_MS, 5000);
    assert.equal(new HttpCallbackSender({ policy: new CallbackPolicy() }).timeoutMs, 5000);
  });

  it('reports a 500 with its status', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 500;
      res.end('boom');
    });
    const sender = new HttpCallbackSender({ policy: localPolicy(`127.0.0.1:${server.port}`) });

    // Docker Hub's callback path is a per-push secret: the reason (logged, and stored with the
    // delivery) names scheme and host only.
    const result = await sender.send(
      `http://127.0.0.1:${server.port}/u/me/web/hook/SECRET-hub-path/`,
      CALLBACK,
    );

    assert.ok(!result.ok, JSON.stringify(result));
    assert.equal(result.status, 500);
    assert.match(result.reason, /answered 500 Internal Server Error; a 2xx status was expected/);
    assert.match(result.reason, /^http:\/\/127\.0\.0\.1:\d+ answered/);
    assert.doesNotMatch(result.reason, /SECRET|\/u\/me/);
  });

  // The sender's timeout is far beyond the test's: only hanging up on its own ends the send in
  // time, and the server sees its answer closed while still unfinished (it never ends).
  it(
    'stops reading once it has the status: it hangs up on an endless answer',
    { timeout: 30_000 },
    async () => {
      let answerClosed!: (finished: boolean) => void;
      const closed = new Promise<boolean>((resolve) => (answerClosed = resolve));
      const server = await serve((_req, res) => {
        res.on('close', () => answerClosed(res.writableFinished));
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write(Buffer.alloc(64 * 1024, 'x'));
        // Never ends.
      });
      const sender = new HttpCallbackSender({
        policy: localPolicy(`127.0.0.1:${server.port}`),
        timeoutMs: 10 * 60_000,
      });

      const result = await sender.send(`http://127.0.0.1:${server.port}/`, CALLBACK);

      assert.deepEqual(result, { ok: true, status: 200 });
      assert.equal(await closed, false, 'the sender hung up before the answer ended');
      assert.equal(server.requests.length, 1);
    },
  );

  it('reports a refused connection', async () => {
    const server = await serve();
    const port = server.port;
    await new Promise<void>((resolve) => servers.pop()?.close(() => resolve()));
    const sender = new HttpCallbackSender({ policy: localPolicy(`127.0.0.1:${port}`) });

    const result = await sender.send(`http://127.0.0.1:${port}/`, CALLBACK);

    assert.ok(!result.ok, JSON.stringify(result));
    assert.match(result.reason, /could not connect to http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it('never throws, even for a body JSON cannot write', async () => {
    const sender = new HttpCallbackSender({ policy: new CallbackPolicy() });
    const result = await sender.send('https://registry.hub.docker.com/', { n: 1n });
    assert.deepEqual(result, {
      ok: false,
      reason: 'the callback body could not be written as JSON',
    });
  });
});

describe('HttpCallbackSender refuses before connecting', () => {
  it('a host that is not on the allow-list: no DNS, no connection', async () => {
    const server = await serve();
    let resolved = 0;
    const resolve: HostResolver = () => {
      resolved++;
      return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    };
    const sender = new HttpCallbackSender({
      policy: new CallbackPolicy({ allowHttp: true, allowPrivateAddresses: true }),
      resolve,
    });

    const literal = await sender.send(`http://127.0.0.1:${server.port}/`, CALLBACK);
    const named = await sender.send(`http://localhost:${server.port}/`, CALLBACK);
    const userinfo = await sender.send(
      `http://registry.hub.docker.com@127.0.0.1:${server.port}/`,
      CALLBACK,
    );

    assert.ok(!literal.ok && !named.ok && !userinfo.ok, JSON.stringify([literal, named, userinfo]));
    assert.match(literal.reason, /^refused by policy: .*names the IP address 127\.0\.0\.1/);
    assert.match(named.reason, /^refused by policy: localhost is not on the callback allow-list/);
    assert.match(userinfo.reason, /^refused by policy: .*user name or password/);
    assert.equal(resolved, 0);
    assert.equal(server.connections, 0);
  });

  it('an allow-listed name that resolves to loopback, without allowPrivateAddresses', async () => {
    const server = await serve();
    const sender = new HttpCallbackSender({
      policy: new CallbackPolicy({ allowedHosts: [`localhost:${server.port}`], allowHttp: true }),
    });

    const result = await sender.send(`http://localhost:${server.port}/`, CALLBACK);

    assert.ok(!result.ok, JSON.stringify(result));
    assert.match(
      result.reason,
      /^refused by policy: localhost resolves to (127\.0\.0\.1|::1), a loopback address/,
    );
    assert.equal(server.connections, 0);
  });

  it('a name with one private address among public ones', async () => {
    const server = await serve();
    const resolve: HostResolver = () =>
      Promise.resolve([
        { address: '52.1.2.3', family: 4 },
        { address: '::ffff:127.0.0.1', family: 6 },
      ]);
    const sender = new HttpCallbackSender({
      policy: new CallbackPolicy({
        allowedHosts: [`callback.test:${server.port}`],
        allowHttp: true,
      }),
      resolve,
    });

    const result = await sender.send(`http://callback.test:${server.port}/`, CALLBACK);

    assert.ok(!result.ok, JSON.stringify(result));
    assert.match(
      result.reason,
      /callback\.test resolves to ::ffff:127\.0\.0\.1, a loopback address/,
    );
    assert.equal(server.connections, 0);
  });
});

describe('HttpCallbackSender connects to the address it checked', () => {
  it('asks DNS once and uses that answer, even if DNS would answer differently later', async () => {
    const server = await serve();
    let calls = 0;
    // A rebinding resolver: the checked answer first, then an address nothing listens on.
    const resolve: HostResolver = () => {
      calls++;
      return Promise.resolve([{ address: calls === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }]);
    };
    const sender = new HttpCallbackSender({
      policy: localPolicy(`callback.test:${server.port}`),
      resolve,
    });

    const result = await sender.send(`http://callback.test:${server.port}/cb`, CALLBACK);

    assert.deepEqual(result, { ok: true, status: 200 });
    assert.equal(calls, 1);
    assert.equal(server.requests[0]?.headers.host, `callback.test:${server.port}`);
  });
});

describe('HttpCallbackSender over https', () => {
  let dir = '';
  let tls = { key: '', cert: '' };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'hoist-callback-tls-'));
    const pair = await makeSelfSigned(dir, 'localhost', { days: 1 });
    tls = { key: readFileSync(pair.key, 'utf8'), cert: readFileSync(pair.cert, 'utf8') };
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a self-signed certificate and sends nothing', async () => {
    const server = await serve(undefined, tls);
    const sender = new HttpCallbackSender({ policy: localPolicy(`127.0.0.1:${server.port}`) });

    const result = await sender.send(
      `https://127.0.0.1:${server.port}/hook?token=SECRET`,
      CALLBACK,
    );

    assert.ok(!result.ok, JSON.stringify(result));
    assert.match(result.reason, /^TLS verification of 127\.0\.0\.1 failed/);
    assert.match(result.reason, /self[- ]signed/);
    assert.doesNotMatch(result.reason, /SECRET/);
    assert.equal(server.connections, 1, 'the TLS handshake was attempted');
    assert.equal(server.requests.length, 0);
  });
});
