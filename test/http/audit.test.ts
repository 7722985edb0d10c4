/**
 * The audit log through real HTTP on the in-process server (no Docker): what a
 * change records (who, token, address, what, object), handler calls as actors,
 * failed sign-ins, what a viewer may read, the filters and paging, and that no
 * secret reaches it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import type { CreatedWebhook } from '../support/api-bodies.js';
import { apiRequest } from '../support/api-request.js';
import { runCli } from '../support/cli-process.js';
import { postHook } from '../support/scenario.js';

interface Event {
  id: string;
  at: string;
  actor: string;
  actorKind: string;
  tokenName: string | null;
  address: string | null;
  action: string;
  objectKind: string | null;
  objectId: string | null;
  objectName: string | null;
  serviceId: string | null;
  detail: string | null;
}
type Events = { events: Event[]; next: string | null };

describe('audit log', () => {
  let server: TestApp;
  const secrets: string[] = [];

  before(async () => {
    server = await startTestApp();
    secrets.push(server.token);
  });

  after(async () => {
    await server?.close();
  });

  const signIn = async (username: string, password: string) => {
    const response = await fetch(`${server.url}/api/v1/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password, tokenName: 'laptop' }),
    });
    const body = (await response.json()) as { token?: string };
    if (body.token) secrets.push(body.token);
    return { status: response.status, token: body.token ?? '' };
  };
  const audit = async (query = '', token = server.token) => {
    const { status, body } = await apiRequest<Events>(
      server.url,
      token,
      'GET',
      `/api/v1/audit${query}`,
    );
    assert.equal(status, 200, JSON.stringify(body));
    return body;
  };

  test('records each change with who, token, address and object, and handler calls as actors', async () => {
    const service = await addStoredService(server.store, 'hoist-test-audit');
    const created = await server.api<CreatedWebhook>(
      'POST',
      `/api/v1/services/${service.id}/webhooks`,
      {
        name: 'ci',
      },
    );
    assert.equal(created.status, 201);
    secrets.push(created.body.url);
    const call = await postHook(created.body.url);
    assert.equal(call.status, 202);
    const revoked = await server.api(
      'DELETE',
      `/api/v1/services/${service.id}/webhooks/${created.body.webhook.id}`,
    );
    assert.equal(revoked.status, 204);
    const user = await server.api<{ user: { id: string }; password: string }>(
      'POST',
      '/api/v1/users',
      {
        username: 'otto',
        role: 'operator',
      },
    );
    secrets.push(user.body.password);
    assert.equal((await signIn('otto', 'not the password')).status, 401);
    const otto = await signIn('otto', user.body.password);
    assert.equal(otto.status, 201);
    const redeploy = await apiRequest<{ action: { id: string } }>(
      server.url,
      otto.token,
      'POST',
      `/api/v1/services/${service.id}/redeploy`,
      {},
    );
    assert.equal(redeploy.status, 202);

    const { events } = await audit();
    const summary = events
      .map((e) => `${e.actor} ${e.action} ${e.objectKind}:${e.objectName}`)
      .reverse();
    // The call's event is written after its answer, so it may land after the next request's.
    const byHandler = 'handler ci service.redeploy_requested service:hoist-test-audit';
    assert.ok(summary.includes(byHandler), summary.join('\n'));
    assert.deepEqual(
      summary.filter((line) => line !== byHandler),
      [
        'admin handler.created handler:ci',
        'admin handler.revoked handler:ci',
        'admin user.created user:otto',
        'otto sign_in.failed user:null',
        'otto sign_in user:otto',
        'otto service.redeploy_requested service:hoist-test-audit',
      ],
    );
    const byAdmin = events.find((e) => e.action === 'handler.revoked');
    assert.equal(byAdmin?.tokenName, 'admin');
    assert.equal(byAdmin?.address, '127.0.0.1');
    assert.equal(byAdmin?.objectId, created.body.webhook.id);
    const byOtto = events.find(
      (e) => e.actor === 'otto' && e.action === 'service.redeploy_requested',
    );
    assert.equal(byOtto?.tokenName, 'laptop');
    assert.equal(byOtto?.detail, `action ${redeploy.body.action.id.slice(0, 8)}`);
    assert.equal(events.find((e) => e.action === 'user.created')?.detail, 'role="operator"');
    assert.equal(events.find((e) => e.action === 'sign_in.failed')?.detail, 'answered 401');
    const text = JSON.stringify(events);
    for (const secret of secrets) {
      const tail = secret.split('/').pop() ?? secret;
      assert.ok(!text.includes(tail), 'the audit log holds no secret');
    }
  });

  test("a viewer reads the log but not other people's accounts", async () => {
    const made = await server.api<{ password: string }>('POST', '/api/v1/users', {
      username: 'vera',
      role: 'viewer',
    });
    const vera = await signIn('vera', made.body.password);
    const seen = (await audit('', vera.token)).events;
    assert.ok(
      seen.some((e) => e.action === 'handler.created'),
      'handlers are for everyone to see',
    );
    assert.ok(
      seen.some((e) => e.actor === 'vera' && e.action === 'sign_in'),
      'her own sign-in',
    );
    assert.ok(
      !seen.some((e) => e.action === 'user.created' && e.objectName === 'otto'),
      "not otto's account",
    );
    assert.ok(
      (await audit()).events.some((e) => e.objectName === 'otto'),
      'admins see it',
    );
  });

  test('filters by actor, object and time, and pages by its next URL', async () => {
    const otto = (await audit('?actor=otto')).events;
    assert.ok(otto.length >= 3 && otto.every((e) => e.actor === 'otto'));
    const handler = (await audit()).events.find((e) => e.action === 'handler.created');
    const about = (await audit(`?object=${handler?.objectId ?? ''}`)).events;
    assert.deepEqual(about.map((e) => e.action).reverse(), ['handler.created', 'handler.revoked']);
    const ofService = (await audit(`?service=${handler?.serviceId ?? ''}`)).events;
    // The handler's events and the service's own; not the users'.
    assert.deepEqual(ofService.map((e) => e.action).sort(), [
      'handler.created',
      'handler.revoked',
      'service.redeploy_requested',
      'service.redeploy_requested',
    ]);
    assert.deepEqual((await audit('?since=2100-01-01T00:00:00Z')).events, []);
    assert.deepEqual((await audit('?until=2000-01-01T00:00:00Z')).events, []);

    const all = (await audit('?limit=1000')).events;
    const paged: Event[] = [];
    let next: string | null = '/api/v1/audit?limit=2';
    while (next) {
      const page: Events = (await apiRequest<Events>(server.url, server.token, 'GET', next)).body;
      paged.push(...page.events);
      next = page.next;
    }
    assert.deepEqual(
      paged.map((e) => e.id),
      all.map((e) => e.id),
    );
    const bad = await server.api('GET', '/api/v1/audit?since=yesterday');
    assert.equal(bad.status, 400);
  });

  test('hoist audit ls shows the log, filtered, as a table and as JSON', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'hoist-audit-cli-'));
    try {
      const cli = (args: string[]) =>
        runCli(['audit', 'ls', ...args], {
          entry: 'source',
          home,
          env: { HOIST_URL: server.url, HOIST_TOKEN: server.token },
        });
      const table = await cli(['--actor', 'otto']);
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trim().split('\n');
      assert.match(lines[0] ?? '', /^WHEN\s+ACTOR\s+ACTION\s+OBJECT\s+DETAIL\s+FROM$/);
      assert.ok(
        lines.some((l) =>
          /otto \(laptop\)\s+service\.redeploy_requested\s+service hoist-test-audit\s+action [0-9a-f]{8}\s+127\.0\.0\.1/.test(
            l,
          ),
        ),
        table.stdout,
      );
      assert.ok(
        lines.slice(1).every((l) => /\sotto\b/.test(l)),
        table.stdout,
      );
      const serviceId = (await audit('?actor=otto')).events.find((e) => e.serviceId)?.serviceId;
      const ofService = await cli(['--service', serviceId ?? 'none', '-q']);
      assert.equal(ofService.code, 0, ofService.stderr);
      assert.equal(ofService.stdout.trim().split('\n').length, 4, ofService.stdout);
      const json = await cli(['-n', '2', '--json']);
      assert.equal(json.code, 0, json.stderr);
      assert.equal((JSON.parse(json.stdout) as unknown[]).length, 2);
      assert.match(json.stderr, /there are more/);
      const bad = await cli(['--since', 'yesterday']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /ISO 8601/);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  test('keeps events for the retention period only', async () => {
    const before = (await audit('?limit=1000')).events.length;
    assert.equal(await server.store.pruneAuditEvents('2000-01-01T00:00:00.000Z'), 0);
    const pruned = await server.store.pruneAuditEvents('2100-01-01T00:00:00.000Z');
    assert.ok(pruned >= before, `${pruned} of ${before} pruned`);
  });
});
