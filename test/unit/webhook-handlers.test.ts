/**
 * Creating, listing and revoking webhook handlers: the secret, the URL, the
 * naming rules. Real SQLite store (a file, to look at the bytes on disk).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HoistError } from '../../src/domain/errors.js';
import type { Store } from '../../src/domain/ports/store.js';
import { hashSecretToken } from '../../src/domain/secret-token.js';
import type { ServiceRecord } from '../../src/domain/services/service.js';
import type { WebhookHandlers } from '../../src/domain/webhooks/webhook-handlers.js';
import { FakeClock } from '../support/fake-engine.js';
import { refusal } from '../support/refusal.js';
import {
  PUBLIC_URL,
  addService,
  closeStore,
  hookToken,
  newWebhookHandlers,
  openStore,
} from '../support/unit-fixture.js';

let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'hoist-webhooks-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

interface Fixture {
  store: Store;
  dir: string;
  clock: FakeClock;
  handlers: WebhookHandlers;
  service: ServiceRecord;
}

async function fixture(): Promise<Fixture> {
  const dir = join(root, randomUUID());
  const store = await openStore(join(dir, 'hoist.db'));
  const clock = new FakeClock();
  const handlers = newWebhookHandlers(store, clock);
  const service = await addService(store, clock); // compose shop/web
  return { store, dir, clock, handlers, service };
}

/** A second service, container cache. */
function addOtherService(f: Fixture): Promise<ServiceRecord> {
  return addService(f.store, f.clock, { kind: 'container', key: 'cache', name: 'cache' });
}

function tokenOf(url: string): string {
  assert.ok(url.startsWith(`${PUBLIC_URL}/hooks/`), url);
  return hookToken(url);
}

/** Every byte of the database: the main file and its WAL and shared-memory files. */
function databaseBytes(dir: string): Buffer {
  return Buffer.concat(readdirSync(dir).map((name) => readFileSync(join(dir, name))));
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return (await refusal(promise, 'it succeeded')).code;
}

describe('WebhookHandlers', () => {
  it('makes a URL <publicUrl>/hooks/<token> with a >= 256-bit base64url token', async () => {
    const f = await fixture();
    const { webhook, url } = await f.handlers.create(f.service.id, { name: 'ci' });

    const token = tokenOf(url);
    assert.match(token, /^[A-Za-z0-9_-]+$/, 'base64url, no padding');
    assert.ok(Buffer.from(token, 'base64url').length >= 32, 'at least 256 bits');
    assert.equal(webhook.tokenPrefix, token.slice(0, webhook.tokenPrefix.length));
    assert.ok(webhook.tokenPrefix.length < 12, 'the prefix is far too short to guess the rest');
    assert.equal(webhook.serviceId, f.service.id);
    assert.equal(webhook.name, 'ci');
    assert.equal(webhook.operation, 'REDEPLOY');
    assert.equal(webhook.callCount, 0);
    assert.equal(webhook.revokedAt, null);
    assert.equal(webhook.lastCalledAt, null);
    assert.equal(webhook.createdAt, f.clock.now().toISOString());
    assert.equal(
      (await f.store.findActiveWebhookByTokenHash(hashSecretToken(token)))?.id,
      webhook.id,
    );

    const second = await f.handlers.create(f.service.id, { name: 'registry' });
    assert.notEqual(tokenOf(second.url), token);
  });

  it('stores only the hash of the token: the token is nowhere in the database files', async () => {
    const f = await fixture();
    const tokens: string[] = [];
    for (const name of ['ci', 'hub', 'registry']) {
      tokens.push(tokenOf((await f.handlers.create(f.service.id, { name })).url));
    }

    const bytes = databaseBytes(f.dir);
    for (const token of tokens) {
      assert.equal(bytes.indexOf(token), -1, 'the token is stored');
      assert.notEqual(bytes.indexOf(hashSecretToken(token)), -1, 'its hash is stored');
    }
    // And once everything is checkpointed into the main file.
    await closeStore(f.store);
    const closed = databaseBytes(f.dir);
    for (const token of tokens) assert.equal(closed.indexOf(token), -1);
    assert.notEqual(closed.indexOf(hashSecretToken(tokens[0] ?? '')), -1);
  });

  it('keeps names unique among active handlers (webhook_name_taken)', async () => {
    const f = await fixture();
    await f.handlers.create(f.service.id, { name: 'ci' });
    assert.equal(
      await codeOf(f.handlers.create(f.service.id, { name: 'ci' })),
      'webhook_name_taken',
    );
    assert.equal(
      await codeOf(f.handlers.create(f.service.id, { name: '  ci ' })),
      'webhook_name_taken',
    );
    assert.equal((await f.handlers.list(f.service.id)).length, 1);
  });

  it('lets one of many concurrent creates with one name win', async () => {
    const f = await fixture();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => f.handlers.create(f.service.id, { name: 'ci' })),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) {
      if (r.status === 'rejected') {
        assert.ok(r.reason instanceof HoistError);
        assert.equal(r.reason.code, 'webhook_name_taken');
      }
    }
  });

  it('allows the same name on another service', async () => {
    const f = await fixture();
    const other = await addOtherService(f);
    await f.handlers.create(f.service.id, { name: 'ci' });
    await f.handlers.create(other.id, { name: 'ci' });
  });

  it('reuses a revoked handler name, keeping the revoked one listed', async () => {
    const f = await fixture();
    const first = await f.handlers.create(f.service.id, { name: 'ci' });
    f.clock.advance(5000);
    await f.handlers.revoke(f.service.id, first.webhook.id);
    const second = await f.handlers.create(f.service.id, { name: 'ci' });

    const list = await f.handlers.list(f.service.id);
    assert.deepEqual(
      list.map((w) => [w.id, w.revokedAt]),
      [
        [first.webhook.id, '2025-01-01T00:00:05.000Z'],
        [second.webhook.id, null],
      ],
    );
    // Revoking again keeps the first time.
    f.clock.advance(5000);
    await f.handlers.revoke(f.service.id, first.webhook.id);
    const again = await f.handlers.get(f.service.id, first.webhook.id);
    assert.equal(again.revokedAt, '2025-01-01T00:00:05.000Z');
  });

  it('rejects invalid names (bad_request) and trims the valid ones', async () => {
    const f = await fixture();
    for (const name of [
      '',
      '   ',
      '-ci',
      '.ci',
      '_ci',
      'a'.repeat(65),
      'ci/deploy',
      'ci\ndeploy',
      'ci<script>',
      'ci:latest',
    ]) {
      assert.equal(
        await codeOf(f.handlers.create(f.service.id, { name })),
        'bad_request',
        JSON.stringify(name),
      );
    }
    assert.deepEqual(await f.handlers.list(f.service.id), []);

    for (const name of ['a', 'a'.repeat(64), 'Docker Hub', 'ci_deploy-2.0', 'déploiement', '7']) {
      const { webhook } = await f.handlers.create(f.service.id, { name });
      assert.equal(webhook.name, name);
    }
    const { webhook } = await f.handlers.create(f.service.id, { name: '  padded  ' });
    assert.equal(webhook.name, 'padded');
  });

  it('answers service_not_found for an unknown service', async () => {
    const f = await fixture();
    const missing = randomUUID();
    assert.equal(await codeOf(f.handlers.create(missing, { name: 'ci' })), 'service_not_found');
    assert.equal(await codeOf(f.handlers.list(missing)), 'service_not_found');
    assert.equal(await codeOf(f.handlers.revoke(missing, randomUUID())), 'service_not_found');
  });

  it('answers webhook_not_found for a handler of another service', async () => {
    const f = await fixture();
    const other = await addOtherService(f);
    const { webhook } = await f.handlers.create(other.id, { name: 'ci' });
    assert.equal(await codeOf(f.handlers.get(f.service.id, webhook.id)), 'webhook_not_found');
    assert.equal(await codeOf(f.handlers.revoke(f.service.id, webhook.id)), 'webhook_not_found');
    assert.equal((await f.handlers.get(other.id, webhook.id)).revokedAt, null);
  });

  it('creates SCALEUP handlers when asked', async () => {
    const f = await fixture();
    const { webhook } = await f.handlers.create(f.service.id, {
      name: 'scale',
      operation: 'SCALEUP',
    });
    assert.equal(webhook.operation, 'SCALEUP');
  });
});
