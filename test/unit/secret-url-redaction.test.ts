/**
 * Secret URLs never reach the log: a real server (startServer, its pino
 * logger writing into a buffer) is called over HTTP at every shape of secret
 * URL, known and unknown tokens, good and bad calls, mistyped spellings, and
 * the log must hold a request line for each call but none of the tokens. The
 * engine is unreachable: nothing here is about Docker.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openSqliteStore } from '../../src/adapters/store/open-store.js';
import { loadConfig } from '../../src/config.js';
import { systemClock } from '../../src/domain/clock.js';
import { Registries } from '../../src/domain/registries/registries.js';
import { generateSecretToken, hashSecretToken } from '../../src/domain/secret-token.js';
import { redactPath } from '../../src/http/redact.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { webhookRecord } from '../support/records.js';
import { freePort } from '../support/test-engine.js';

interface Answer {
  status: number;
  body: string;
}

/** A request with its path sent exactly as written (no URL normalization on the way). */
function send(
  port: number,
  method: string,
  rawPath: string,
  body?: Buffer,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path: rawPath, headers, agent: false },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('secret URLs in the access log', () => {
  let dataDir: string;
  let server: RunningServer;
  let port: number;
  let logs = '';
  /** Every token the calls carried: known, revoked and unknown. */
  const tokens = {
    hook: generateSecretToken(),
    registry: '',
    unknownHook: generateSecretToken(),
    unknownRegistry: generateSecretToken(),
    /** Longer than a route parameter may be (Fastify answers those itself). */
    long: generateSecretToken().repeat(3),
  };
  const answers: { method: string; path: string; answer: Answer }[] = [];

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'hoist-redaction-'));
    const store = await openSqliteStore(path.join(dataDir, 'hoist.sqlite'));
    try {
      const now = new Date().toISOString();
      const service = await store.upsertService({
        id: randomUUID(),
        engineId: 'local',
        kind: 'container',
        key: 'web',
        name: 'web',
        seenAt: now,
        imageRef: 'registry.example.com/web:latest',
        digest: null,
      });
      await store.insertWebhook(
        webhookRecord(service.id, { tokenHash: hashSecretToken(tokens.hook), createdAt: now }),
      );
      const registries = new Registries({ store, clock: systemClock, publicUrl: 'http://x' });
      const created = await registries.create('ci registry');
      tokens.registry = created.url.slice(created.url.lastIndexOf('/') + 1);
    } finally {
      await store.close();
    }
    port = await freePort();
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => (logs += chunk.toString('utf8')));
    server = await startServer(
      loadConfig({
        HOIST_PORT: String(port),
        HOIST_HOST: '127.0.0.1',
        HOIST_PUBLIC_URL: `http://127.0.0.1:${port}`,
        HOIST_DATA_DIR: dataDir,
        // Nothing listens there: the redeploy a call queues waits for an engine, and logs why.
        DOCKER_HOST: `unix://${path.join(dataDir, 'no-docker.sock')}`,
        HOIST_LOG_LEVEL: 'debug',
      }),
      { logDestination: sink },
    );

    const { hook, registry, unknownHook, unknownRegistry } = tokens;
    const big = Buffer.alloc(2 * 1024 * 1024, 'a');
    const json = { 'content-type': 'application/json' };
    const calls: [string, string, Buffer?, Record<string, string>?][] = [
      ['POST', `/hooks/${hook}`],
      ['POST', `/hooks/${hook}?source=ci&x=${hook.slice(0, 4)}`],
      ['POST', `/hooks/${hook}/3`],
      ['POST', `/hooks/${unknownHook}`],
      ['POST', `/hooks/${unknownHook}/2?n=1`],
      ['POST', `/registry-events/${registry}`, Buffer.from('{"events":[]}'), json],
      ['POST', `/registry-events/${registry}?from=registry`],
      ['POST', `/registry-events/${unknownRegistry}`],
      ['GET', `/hooks/${hook}`],
      ['GET', `/hooks/${hook}/3`],
      ['GET', `/registry-events/${registry}?x=1`],
      ['DELETE', `/registry-events/${unknownRegistry}`],
      ['POST', `/hooks/${hook}`, big],
      ['POST', `/registry-events/${registry}`, big],
      ['POST', `/HOOKS/${hook}`],
      ['POST', `/Hooks/${unknownHook}`],
      ['POST', `/Registry-Events/${registry}`],
      ['POST', `//hooks/${hook}`],
      ['POST', `/hooks//${hook}`],
      ['POST', `//registry-events//${registry}?a=b`],
      ['POST', `/hooks%2F${hook}`],
      ['POST', `/registry-events%2f${registry}`],
      ['POST', `/%68ooks/${hook}`],
      ['POST', `/registry%2Devents/${registry}`],
      ['POST', `/hooks/${hook}%zz`],
      ['POST', `/registry-events/${registry}/extra`],
      ['POST', `/hooks/${tokens.long}`],
      ['POST', `/registry-events/${tokens.long}?x=1`],
    ];
    for (const [method, rawPath, body, headers] of calls) {
      answers.push({
        method,
        path: rawPath,
        answer: await send(port, method, rawPath, body, headers),
      });
    }
    await server.close();
  });

  after(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('made every kind of call it meant to (so the log check below checks something)', () => {
    const statuses = new Set(answers.map((a) => a.answer.status));
    for (const status of [202, 200, 400, 404, 405, 413, 414]) {
      assert.ok(statuses.has(status), `no call answered ${status}: ${[...statuses].join(', ')}`);
    }
    const first = (call: string) =>
      answers.find((a) => `${a.method} ${a.path}` === call)?.answer.status;
    assert.equal(first(`POST /hooks/${tokens.hook}`), 202);
    assert.equal(first(`POST /hooks/${tokens.hook}/3`), 400);
    assert.equal(first(`POST /registry-events/${tokens.registry}`), 200);
    assert.equal(first(`POST /registry-events/${tokens.unknownRegistry}`), 404);
    assert.equal(first(`GET /registry-events/${tokens.registry}?x=1`), 405);
    assert.equal(first(`POST /hooks/${tokens.hook}%zz`), 400);
    assert.equal(first(`POST /hooks/${tokens.long}`), 414);
  });

  it('logs a request line for every call, with the token redacted', () => {
    const lines = logs
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(
        (l) => JSON.parse(l) as { msg?: string; method?: string; url?: string; status?: number },
      );
    const requests = lines.filter((l) => l.msg === 'request');
    for (const { method, path: rawPath, answer } of answers) {
      const logged = requests.find(
        (r) => r.method === method && r.url === redactPath(rawPath) && r.status === answer.status,
      );
      assert.ok(
        logged,
        `no request line for ${method} ${redactPath(rawPath)} ${answer.status} in ${JSON.stringify(requests)}`,
      );
      assert.match(logged.url ?? '', /\[redacted\]/);
    }
  });

  it('holds no token anywhere in the log', () => {
    assert.ok(logs.length > 0);
    for (const [name, token] of Object.entries(tokens)) {
      assert.ok(token.length >= 43, name);
      assert.ok(!logs.includes(token), `the ${name} token is in the log`);
    }
  });

  it('puts no token in an error message', () => {
    for (const { method, path: rawPath, answer } of answers) {
      if (answer.status < 400) continue;
      for (const [name, token] of Object.entries(tokens)) {
        assert.ok(
          !answer.body.includes(token),
          `${method} ${redactPath(rawPath)} answered ${answer.status} with the ${name} token: ${redactPath(answer.body)}`,
        );
      }
    }
  });
});

describe('redactPath', () => {
  it('redacts the segment after every secret prefix, however the path spells it', () => {
    const cases: [string, string][] = [
      ['/hooks/abc', '/hooks/[redacted]'],
      ['/hooks/abc/3?x=1', '/hooks/[redacted]/3?x=1'],
      ['/registry-events/abc?x=abc', '/registry-events/[redacted]?x=abc'],
      ['//HOOKS//abc', '//HOOKS//[redacted]'],
      ['/Registry-Events%2Fabc', '/Registry-Events%2F[redacted]'],
      ['/%68ooks/abc', '/%68ooks/[redacted]'],
      ['/api/v1/services/x/webhooks/abc', '/api/v1/services/x/webhooks/abc'],
    ];
    for (const [url, redacted] of cases) assert.equal(redactPath(url), redacted, url);
  });
});
