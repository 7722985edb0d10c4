/**
 * Property-based fuzzing (fast-check) of POST /hooks/{token} on a real server:
 * random bodies, headers, content types and tokens. Never a 5xx, never a
 * dropped connection, only the documented answers; and a payload naming
 * another repository is never taken for a push of the service's image (a 202
 * only when the payload reads as a plain trigger).
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { parsePayload } from '../../src/domain/payloads/parse-payload.js';
import { buildAndPushTestImage, cleanupTestContainers } from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  createWebhook,
  findService,
  runTestContainer,
  settleActions,
  type ApiService,
} from '../support/scenario.js';
import {
  SERVICE_REPOSITORY,
  contentTypeArb,
  headersArb,
  otherRepositoryPayloadArb,
} from '../support/payload-arbitraries.js';

const HTTP_RUNS = 800;
const ALLOWED = [200, 202, 400, 404, 413];

let server: TestServer;
let service: ApiService;
let hookUrl: string;

interface Call {
  token: string | null;
  contentType: string | null;
  body: Buffer;
  headers: Record<string, string>;
}

function post(call: Call): Promise<{ status: number; text: string }> {
  const url = call.token === null ? new URL(hookUrl) : new URL(`/hooks/${call.token}`, server.url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...call.headers };
    if (call.contentType !== null) headers['content-type'] = call.contentType;
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(call.body.length) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(call.body);
  });
}

const printable = (s: string | null) => (s === null ? null : s.replace(/[^\x20-\x7e]/g, '').trim());

const callArb: fc.Arbitrary<Call> = fc.oneof(
  fc
    .record({
      contentType: contentTypeArb,
      body: fc.oneof(
        fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)),
        fc.json({ maxDepth: 5 }).map((t) => Buffer.from(t)),
        fc.string({ unit: 'binary', maxLength: 500 }).map((t) => Buffer.from(t)),
      ),
      headers: headersArb,
      token: fc.option(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), { freq: 4, nil: null }),
    })
    .map((c) => ({ ...c, contentType: printable(c.contentType) })),
  {
    arbitrary: otherRepositoryPayloadArb.map((p) => ({
      token: null,
      contentType: printable(p.contentType),
      body: Buffer.from(p.body),
      headers: p.headers,
    })),
    weight: 2,
  },
);

before(async () => {
  await cleanupTestContainers();
  server = await startTestServer({ HOIST_UNKNOWN_TOKEN_LIMIT_PER_MINUTE: '1000000' });
  const image = await buildAndPushTestImage({
    repo: SERVICE_REPOSITORY,
    tag: 'latest',
    version: 'fuzz v1',
  });
  await runTestContainer({ name: 'hoist-test-fuzz', Image: image.ref, StopTimeout: 1 });
  service = await findService(server, 'hoist-test-fuzz');
  hookUrl = (await createWebhook(server, service.id, 'fuzz')).url;
});

after(async () => {
  if (server && service) await settleActions(server, service.id);
  await server?.close();
  await cleanupTestContainers();
});

test(`POST /hooks/{token} with ${HTTP_RUNS} random calls: only documented answers, never a redeploy for another repository`, async () => {
  const seen = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(callArb, async (call) => {
      const { status, text } = await post(call);
      seen.set(status, (seen.get(status) ?? 0) + 1);
      assert.ok(ALLOWED.includes(status), `answered ${status}: ${text}`);
      assert.doesNotThrow(() => JSON.parse(text), `not JSON: ${text}`);
      if (call.token === null && status === 202) {
        const parsed = parsePayload({
          contentType: call.contentType,
          body: call.body,
          headers: call.headers,
        });
        assert.equal(parsed.kind, 'plain', `a ${parsed.kind} payload was taken as a push: ${text}`);
      }
    }),
    { numRuns: HTTP_RUNS },
  );
  assert.doesNotMatch(server.logs(), /unexpected error/);
  assert.ok((seen.get(202) ?? 0) > 0 && (seen.get(200) ?? 0) > 0, JSON.stringify([...seen]));
});
