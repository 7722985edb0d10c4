/**
 * `hoist action ls` on a list longer than a page: one page and a hint on
 * stderr that more exist, or with --all every page (the `next` links followed
 * to the end, the filters kept). The CLI's source run as a subprocess (tsx),
 * against a real server in process (test/helper.ts) with actions written into
 * its store; no Docker. The rest of the CLI is in test/integration/cli.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Action } from '../../src/domain/actions/action.js';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import { runCli } from '../support/cli-process.js';
import { actionRecord, at, newestFirst } from '../support/records.js';

describe('hoist action ls over pages', () => {
  let server: TestApp;
  let home: string;
  /** Every action seeded, newest first. */
  let all: Action[];

  const hoist = (args: string[]) =>
    runCli(args, {
      entry: 'source',
      home,
      env: { HOIST_URL: server.url, HOIST_TOKEN: server.token },
    });

  const ids = (stdout: string) => stdout.split('\n').filter((line) => line !== '');

  before(async () => {
    server = await startTestApp();
    home = await mkdtemp(path.join(tmpdir(), 'hoist-cli-paging-'));
    const service = await addStoredService(server.store, 'hoist-test-cli-paging');
    // More than two pages of 1000, every fourth Failed (more than a page of them too), and
    // three actions to a second, so that pages end inside a second.
    all = Array.from({ length: 4100 }, (_, i) =>
      actionRecord(service.id, {
        state: i % 4 === 0 ? 'Failed' : 'Success',
        createdAt: at(Math.floor(i / 3)),
      }),
    );
    await server.store.transaction(async (tx) => {
      for (const action of all) await tx.insertAction(action);
    });
    all = newestFirst(all, (a) => ({ at: a.createdAt, id: a.id }));
  });

  after(async () => {
    await server?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  test('without --all: one page, and a hint on stderr that more exist', async () => {
    const run = await hoist(['action', 'ls', '-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      ids(run.stdout),
      all.slice(0, 20).map((a) => a.id),
    );
    assert.match(run.stderr, /the newest 20 shown; there are more: add --all/);

    const json = await hoist(['action', 'ls', '-n', '1000', '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as Action[]).length, 1000);
    assert.match(json.stderr, /the newest 1000 shown; there are more/);
  });

  test('with --all: every action once, newest first, across pages', async () => {
    const run = await hoist(['action', 'ls', '--all', '-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      ids(run.stdout),
      all.map((a) => a.id),
    );
    assert.equal(run.stderr, '', 'no hint: nothing more exists');
  });

  test('with --all and a filter: the filter holds on every page', async () => {
    const run = await hoist(['action', 'ls', '--all', '--state', 'failed', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const listed = JSON.parse(run.stdout) as Action[];
    const failed = all.filter((a) => a.state === 'Failed');
    assert.ok(failed.length > 1000, 'more than a page');
    assert.deepEqual(
      listed.map((a) => a.id),
      failed.map((a) => a.id),
    );
  });

  test('--all and -n together are refused', async () => {
    const run = await hoist(['action', 'ls', '--all', '-n', '5']);
    assert.notEqual(run.code, 0);
    assert.match(
      run.stderr,
      /--all.*cannot be used with.*--limit|--limit.*cannot be used with.*--all/,
    );
    assert.equal(run.stdout, '');
  });
});
