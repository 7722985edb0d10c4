/**
 * Abuse limits on a real server (startTestServer, the private test
 * engine): unknown tokens are rate-limited per client address while valid
 * handlers are not; and slow clients are cut off after the request timeout.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  buildAndPushTestImage,
  cleanupTestContainers,
  type PushedTestImage,
} from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  createWebhook,
  findService,
  runTestContainer,
  postHook,
  settleActions,
  type ApiService,
} from '../support/scenario.js';

describe('abuse limits', () => {
  let pushed: Promise<PushedTestImage> | undefined;
  /** Built and pushed once, by the first suite that needs it. */
  const testImage = async () => {
    pushed ??= cleanupTestContainers().then(() =>
      buildAndPushTestImage({ repo: 'hoist-test/abuse', tag: 'latest', version: 'abuse v1' }),
    );
    return pushed;
  };

  after(async () => {
    if (pushed) await cleanupTestContainers();
  });

  describe('rate limits', () => {
    let server: TestServer;
    let service: ApiService;

    before(async () => {
      server = await startTestServer();
      await runTestContainer({
        name: 'hoist-test-abuse-limit',
        Image: (await testImage()).ref,
        StopTimeout: 1,
      });
      service = await findService(server, 'hoist-test-abuse-limit');
    });

    after(async () => {
      if (server && service) await settleActions(server, service.id);
      await server?.close();
    });

    test('the 61st unknown or revoked call gets 429 with Retry-After; a valid handler still gets 202', async () => {
      const revoked = await createWebhook(server, service.id, 'revoked');
      const { status: revokedStatus } = await server.api(
        'DELETE',
        `/api/v1/services/${service.id}/webhooks/${revoked.webhook.id}`,
      );
      assert.equal(revokedStatus, 204);
      const valid = await createWebhook(server, service.id, 'valid');

      const bodies = new Set<string>();
      for (let i = 0; i < 60; i++) {
        const url = i % 2 === 0 ? `${server.url}/hooks/unknown-token-${i}` : revoked.url;
        const answer = await postHook(url);
        assert.equal(answer.status, 404, `call ${i + 1}`);
        bodies.add(JSON.stringify(answer.body));
      }
      assert.equal(bodies.size, 1, 'unknown and revoked tokens answer the same body');

      const limited = await postHook(`${server.url}/hooks/unknown-token-61`);
      assert.equal(limited.status, 429);
      assert.equal(limited.body?.error?.code, 'rate_limited');
      assert.ok(
        Number(limited.retryAfter) >= 1 && Number(limited.retryAfter) <= 60,
        String(limited.retryAfter),
      );
      assert.equal((await postHook(revoked.url)).status, 429, 'revoked tokens share the limit');
      assert.equal(
        (await postHook(`${server.url}/registry-events/unknown-registry`)).status,
        429,
        'registry URLs share the limit',
      );

      for (let i = 0; i < 3; i++) {
        const answer = await postHook(valid.url);
        assert.equal(answer.status, 202, JSON.stringify(answer.body));
      }
    });

    test('takes rateLimitPerMinute calls, then 429 with Retry-After, recorded as rejected', async () => {
      const { status, body } = await server.api<{
        url: string;
        webhook: { id: string; rateLimitPerMinute: number | null };
      }>('POST', `/api/v1/services/${service.id}/webhooks`, {
        name: 'limited',
        rateLimitPerMinute: 3,
      });
      assert.equal(status, 201, JSON.stringify(body));
      assert.equal(body.webhook.rateLimitPerMinute, 3);
      const unlimited = await createWebhook(server, service.id, 'unlimited');

      for (let i = 0; i < 3; i++)
        assert.equal((await postHook(body.url)).status, 202, `call ${i + 1}`);
      const limited = await postHook(body.url);
      assert.equal(limited.status, 429, JSON.stringify(limited.body));
      assert.equal(limited.body?.error?.code, 'rate_limited');
      assert.equal(limited.retryAfter, '20', 'one call back every 60/3 s');
      assert.equal((await postHook(unlimited.url)).status, 202, 'other handlers are not limited');

      const { body: log } = await server.api<{
        deliveries: { outcome: string; reason: string | null }[];
      }>('GET', `/api/v1/services/${service.id}/webhooks/${body.webhook.id}/deliveries`);
      const rejected = log.deliveries.filter((d) => d.outcome === 'rejected');
      assert.equal(log.deliveries.length, 4, 'every call is recorded, the refused one too');
      assert.deepEqual(
        rejected.map((d) => d.reason),
        ['rate limited: more than 3 calls a minute'],
      );

      const { status: badStatus, body: bad } = await server.api<{ error: { message: string } }>(
        'POST',
        `/api/v1/services/${service.id}/webhooks`,
        { name: 'zero', rateLimitPerMinute: 0 },
      );
      assert.equal(badStatus, 400);
      assert.match(bad.error.message, /rateLimitPerMinute/);
    });
  });

  describe('slow clients are cut off', () => {
    let server: TestServer;
    const TIMEOUT_S = 1;

    before(async () => {
      server = await startTestServer({ HOIST_REQUEST_TIMEOUT_SECONDS: String(TIMEOUT_S) });
    });

    after(async () => {
      await server?.close();
    });

    /** Opens a socket, lets `feed` write to it, and resolves with ms until the server closed it. */
    const cutOffAfter = (feed: (write: (text: string) => boolean) => () => void) =>
      new Promise<{ ms: number; answer: string }>((resolve, reject) => {
        const { port } = new URL(server.url);
        const started = Date.now();
        const socket = connect(Number(port), '127.0.0.1');
        let answer = '';
        let stop = () => {};
        socket.setEncoding('utf8');
        socket.on('connect', () => {
          stop = feed((text) => socket.write(text));
        });
        socket.on('data', (chunk: string) => (answer += chunk));
        socket.on('error', () => {});
        socket.on('close', () => {
          stop();
          resolve({ ms: Date.now() - started, answer });
        });
        setTimeout(() => {
          socket.destroy();
          reject(new Error('the server kept a slow client for 10 s'));
        }, 10_000).unref();
      });

    const trickle = (first: string, byte: string) => (write: (t: string) => boolean) => {
      write(first);
      const timer = setInterval(() => write(byte), 200);
      return () => clearInterval(timer);
    };

    test('half a request line and headers, then silence', async () => {
      const { ms } = await cutOffAfter((write) => {
        write('POST /hooks/abc HTTP/1.1\r\nHost: x\r\nX-Slow: ');
        return () => {};
      });
      assert.ok(ms < TIMEOUT_S * 1000 + 2_000, `cut off after ${ms} ms`);
    });

    test('headers trickled a byte at a time', async () => {
      const { ms } = await cutOffAfter(trickle('POST /hooks/abc HTTP/1.1\r\nX-Slow: ', 'a'));
      assert.ok(ms < TIMEOUT_S * 1000 + 2_000, `cut off after ${ms} ms`);
    });

    test('a body trickled a byte at a time, short of its Content-Length', async () => {
      const { ms } = await cutOffAfter(
        trickle(
          'POST /hooks/abc HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
          ' ',
        ),
      );
      assert.ok(ms < TIMEOUT_S * 1000 + 2_000, `cut off after ${ms} ms`);
    });
  });
});
