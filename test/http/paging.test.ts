/**
 * The paged lists over HTTP (a handler's deliveries, a registry endpoint's
 * calls, actions): `next` links followed to the end give every item once,
 * newest first, keeping the filters and limit, while new calls arrive; a
 * `before` cursor this server did not issue is refused. In process, over real
 * HTTP, on records written into the store; no Docker (test/helper.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { newRecordId } from '../../src/domain/record-id.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import type { ErrorBody } from '../support/api-bodies.js';
import { actionRecord, at, deliveryRecord, newestFirst } from '../support/records.js';
import { createWebhook, postHook } from '../support/scenario.js';

interface Item {
  id: string;
}

type Listing = Record<string, Item[]> & { next: string | null };

const CURSOR_REFUSED = /not one this server issued/;

describe('paged lists', () => {
  let server: TestApp;
  let service: ServiceRecord;

  before(async () => {
    server = await startTestApp();
    service = await addStoredService(server.store, 'hoist-test-paging');
  });

  after(async () => {
    await server?.close();
  });

  /** Follows `next` from `first` to the last page; `between` runs after each page but the last. */
  async function follow(
    first: string,
    field: string,
    between: () => Promise<void> = async () => {},
  ): Promise<{ pages: Item[][]; links: string[] }> {
    const pages: Item[][] = [];
    const links: string[] = [];
    let url: string | null = first;
    while (url !== null) {
      assert.ok(pages.length < 100, 'the pages end');
      const { status, body }: { status: number; body: Listing } = await server.api<Listing>(
        'GET',
        url,
      );
      assert.equal(status, 200, `${url}: ${JSON.stringify(body)}`);
      assert.ok(Array.isArray(body[field]), JSON.stringify(body));
      pages.push(body[field]);
      url = body.next;
      if (url !== null) {
        links.push(url);
        await between();
      }
    }
    return { pages, links };
  }

  test("a handler's deliveries: next followed to the end gives each once, newest first, while calls arrive", async () => {
    const { webhook, url: hookUrl } = await createWebhook(server, service.id, 'paged');
    // 3 calls a second: a page of 10 ends inside a second.
    const seeded = Array.from({ length: 25 }, (_, i) =>
      deliveryRecord(webhook.id, service.id, { receivedAt: at(Math.floor(i / 3)) }),
    );
    for (const d of seeded) await server.store.insertDelivery(d);
    const expected = newestFirst(seeded, (d) => ({ at: d.receivedAt, id: d.id })).map((d) => d.id);

    const route = `/api/v1/services/${service.id}/webhooks/${webhook.id}/deliveries`;
    let calls = 0;
    const { pages, links } = await follow(`${route}?limit=10`, 'deliveries', async () => {
      // A real call, through the public call path; the query a caller adds is no concern of it.
      const call = await postHook(`${hookUrl}?source=ci&build=${++calls}`);
      assert.ok([200, 202].includes(call.status), JSON.stringify(call.body));
    });
    assert.deepEqual(
      pages.map((p) => p.length),
      [10, 10, 5],
    );
    assert.deepEqual(
      pages.flat().map((d) => d.id),
      expected,
    );
    for (const link of links) {
      const next = new URL(link, server.url);
      assert.ok(link.startsWith(`${route}?`), `relative, on the same route: ${link}`);
      assert.equal(next.searchParams.get('limit'), '10');
      assert.match(next.searchParams.get('before') ?? '', /^[A-Za-z0-9_-]+$/);
    }
    // The calls that arrived meanwhile head a first page read now; the default limit is 100.
    const now = await server.api<Listing>('GET', route);
    assert.equal(now.body.deliveries?.length, 27);
    assert.equal(now.body.next, null);
    assert.deepEqual(
      now.body.deliveries?.slice(2).map((d) => d.id),
      expected,
    );
  });

  test('actions: next keeps the service and state filters', async () => {
    const other = await addStoredService(server.store, 'hoist-test-paging-other');
    const seeded = Array.from({ length: 30 }, (_, i) =>
      actionRecord(i % 2 === 0 ? service.id : other.id, {
        state: i % 3 === 0 ? 'Failed' : 'Success',
        createdAt: at(Math.floor(i / 4)),
      }),
    );
    for (const a of seeded) await server.store.insertAction(a);
    const expected = newestFirst(
      seeded.filter((a) => a.serviceId === service.id && a.state === 'Success'),
      (a) => ({ at: a.createdAt, id: a.id }),
    ).map((a) => a.id);
    const { pages, links } = await follow(
      `/api/v1/actions?service=${service.id}&state=Success&limit=4`,
      'actions',
    );
    assert.equal(pages.length, Math.ceil(expected.length / 4));
    assert.deepEqual(
      pages.flat().map((a) => a.id),
      expected,
    );
    for (const link of links) {
      const next = new URL(link, server.url);
      assert.equal(next.pathname, '/api/v1/actions');
      assert.equal(next.searchParams.get('service'), service.id);
      assert.equal(next.searchParams.get('state'), 'Success');
    }
  });

  test("a registry endpoint's calls: next followed to the end", async () => {
    const created = await server.api<{ registry: { id: string } }>('POST', '/api/v1/registries', {
      name: 'paged registry',
    });
    assert.equal(created.status, 201);
    const registryId = created.body.registry.id;
    const seeded = Array.from({ length: 5 }, (_, i) => ({
      id: newRecordId(),
      registryId,
      receivedAt: at(i),
      remoteAddress: '192.0.2.1',
      deliveryKey: null,
      pushed: ['registry.example.com/web:latest'],
      outcome: 'ignored' as const,
      reason: 'no service runs registry.example.com/web:latest',
      actionIds: [],
    }));
    for (const c of seeded) await server.store.insertRegistryCall(c);
    const { pages } = await follow(`/api/v1/registries/${registryId}/calls?limit=2`, 'calls');
    assert.deepEqual(
      pages.map((p) => p.map((c) => c.id)),
      [[seeded[4]?.id, seeded[3]?.id], [seeded[2]?.id, seeded[1]?.id], [seeded[0]?.id]],
    );
  });

  test('a before cursor this server did not issue answers 400', async () => {
    const { webhook } = await createWebhook(server, service.id, 'cursors');
    const registry = await server.api<{ registry: { id: string } }>('POST', '/api/v1/registries', {
      name: 'cursors',
    });
    const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const bad = [
      '',
      'not-a-cursor',
      'WyIy!!',
      cursor({ at: at(1), id: randomUUID() }),
      cursor([at(1)]),
      cursor(['yesterday', randomUUID()]),
      cursor([at(1), 'not-an-id']),
      cursor([at(1), randomUUID(), 'more']),
    ];
    for (const route of [
      `/api/v1/services/${service.id}/webhooks/${webhook.id}/deliveries`,
      `/api/v1/registries/${registry.body.registry.id}/calls`,
      '/api/v1/actions',
    ]) {
      for (const before of bad) {
        const { status, body } = await server.api<ErrorBody>(
          'GET',
          `${route}?before=${encodeURIComponent(before)}`,
        );
        assert.equal(status, 400, `${route} before=${before}: ${JSON.stringify(body)}`);
        assert.equal(body.error.code, 'bad_request');
        assert.match(body.error.message, CURSOR_REFUSED);
      }
      // One made the server's way is taken, though no item sits at that position.
      const made = await server.api('GET', `${route}?before=${cursor([at(1), randomUUID()])}`);
      assert.equal(made.status, 200, JSON.stringify(made.body));
    }
  });
});
