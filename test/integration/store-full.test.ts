/**
 * A full disk under the store: a real server whose data directory is on a
 * small tmpfs of its own, filled to the last byte. Calls then get 503
 * store_unavailable with Retry-After, never a 2xx that was not recorded; once
 * the space is freed the same server takes calls again. Needs root to mount
 * the tmpfs (CI runs as root); without it the test fails and says so.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  openSync,
  rmSync,
  unlinkSync,
  writeSync,
  closeSync,
  mkdirSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildAndPushTestImage, cleanupTestContainers } from '../support/test-engine.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import {
  createWebhook,
  findService,
  runTestContainer,
  postHook,
  waitForActionEnd,
  type ApiService,
} from '../support/scenario.js';
import { dockerHubPayload } from '../support/registry-payloads.js';

const TMPFS_SIZE = '4m';

function mountTmpfs(): string {
  const mount = mkdtempSync(path.join(tmpdir(), 'hoist-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', mount], {
      stdio: 'pipe',
    });
  } catch (error) {
    rmSync(mount, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(
      `The full-disk test mounts a ${TMPFS_SIZE} tmpfs for the server's data and could not (${stderr ?? String(error)}). Run the tests as root, as CI does.`,
    );
  }
  return mount;
}

/** Writes a file until the filesystem has no byte left. */
function fillUp(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) {
      try {
        writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        break;
      }
    }
    // The last bytes, below one chunk.
    for (;;) {
      try {
        writeSync(fd, Buffer.alloc(512, 1));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        return;
      }
    }
  } finally {
    closeSync(fd);
  }
}

describe('the store on a full disk', () => {
  let mount: string | undefined;
  let server: TestServer | undefined;
  let service: ApiService;
  const filler = () => path.join(mount as string, 'filler');

  before(async () => {
    mount = mountTmpfs();
    await cleanupTestContainers();
    const image = await buildAndPushTestImage({
      repo: 'hoist-test/full',
      tag: 'latest',
      version: 'full v1',
    });
    await runTestContainer({ name: 'hoist-test-store-full', Image: image.ref, StopTimeout: 1 });
    const dataDir = path.join(mount, 'data');
    mkdirSync(dataDir);
    server = await startTestServer({ HOIST_DATA_DIR: dataDir });
    service = await findService(server, 'hoist-test-store-full');
  });

  after(async () => {
    await server?.close();
    if (mount) {
      execFileSync('umount', [mount]);
      rmSync(mount, { recursive: true, force: true });
    }
    await cleanupTestContainers();
  });

  test('calls get 503 while nothing can be written, every 2xx is recorded, and the server recovers', async () => {
    const live = server as TestServer;
    const handler = await createWebhook(live, service.id, 'ci');
    // A push of another repository: answered 200 "ignored" and recorded, and it starts no redeploy.
    const otherPush = dockerHubPayload('someone/else', 'latest', null);

    fillUp(filler());
    let answered2xx = 0;
    let refused: Awaited<ReturnType<typeof postHook>> | undefined;
    // The WAL may still have room for a few commits; the first one that needs a new page fails.
    for (let i = 0; i < 2000 && !refused; i++) {
      const answer = await postHook(handler.url, {
        body: JSON.stringify(otherPush),
        headers: { 'content-type': 'application/json' },
      });
      if (answer.status === 200) {
        assert.equal(answer.body?.ignored, true, JSON.stringify(answer.body));
        answered2xx++;
      } else {
        refused = answer;
      }
    }
    assert.ok(refused, 'a full disk never refused a call');
    assert.equal(refused.status, 503, JSON.stringify(refused.body));
    assert.equal(refused.body?.error?.code, 'store_unavailable');
    assert.match(refused.body?.error?.message ?? '', /disk is full/);
    assert.ok(Number(refused.retryAfter) > 0, `Retry-After: ${refused.retryAfter}`);
    assert.ok(!refused.body?.error?.message.includes(handler.url.split('/hooks/')[1] ?? '?'));

    // A plain trigger is refused as well: nothing queued, nothing recorded.
    const trigger = await postHook(handler.url);
    assert.equal(trigger.status, 503, JSON.stringify(trigger.body));
    assert.ok(live.logs().includes('store_unavailable'), 'the refusal is in the log');

    unlinkSync(filler());
    const recovered = await postHook(handler.url);
    assert.equal(recovered.status, 202, JSON.stringify(recovered.body));
    const action = await waitForActionEnd(live, recovered.body?.action?.id as string);
    assert.equal(action.state, 'Success', JSON.stringify(action.log));

    const { body } = await live.api<{ deliveries: { outcome: string }[] }>(
      'GET',
      `/api/v1/services/${service.id}/webhooks/${handler.webhook.id}/deliveries?limit=1000`,
    );
    const outcomes = body.deliveries.map((d) => d.outcome);
    assert.equal(outcomes.filter((o) => o === 'ignored').length, answered2xx);
    assert.equal(outcomes.filter((o) => o === 'accepted').length, 1);
    assert.equal(outcomes.length, answered2xx + 1, 'a refused call left no delivery');
  });
});
