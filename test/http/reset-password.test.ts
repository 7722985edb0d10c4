/**
 * `hoist server reset-password USER`, run as its own process on the data
 * directory of a running server (in process, test/helper.ts): the new password
 * signs in at once, the old one no longer does.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp } from '../helper.js';
import { runCli } from '../support/cli-process.js';

describe('hoist server reset-password', () => {
  let server: TestApp;
  let home: string;

  before(async () => {
    server = await startTestApp();
    home = await mkdtemp(path.join(tmpdir(), 'hoist-reset-'));
  });

  after(async () => {
    await server?.close();
    await rm(home, { recursive: true, force: true });
  });

  const signIn = (username: string, password: string) =>
    fetch(`${server.url}/api/v1/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    }).then((r) => r.status);

  const reset = (args: string[], input?: string) =>
    runCli(['server', 'reset-password', ...args], {
      entry: 'source',
      home,
      env: { HOIST_DATA_DIR: server.dataDir },
      ...(input === undefined ? {} : { input }),
    });

  test('sets a new password for a running server, shown once, and the old one stops working', async () => {
    const old = (
      await readFile(path.join(server.dataDir, 'initial-admin-password'), 'utf8')
    ).trim();
    assert.equal(await signIn('admin', old), 201);

    const run = await reset(['admin']);
    assert.equal(run.code, 0, run.stderr);
    const password = /shown only now:\s+(\S+)/.exec(run.stdout)?.[1] ?? assert.fail(run.stdout);
    assert.equal(await signIn('admin', password), 201);
    assert.equal(await signIn('admin', old), 401);

    const chosen = await reset(['admin', '--password-stdin'], 'my own long password\n');
    assert.equal(chosen.code, 0, chosen.stderr);
    assert.doesNotMatch(chosen.stdout, /my own long password/, 'a given password is not echoed');
    assert.equal(await signIn('admin', 'my own long password'), 201);
  });

  test('names what is wrong: an unknown user, a short password, no store', async () => {
    const unknown = await reset(['nobody']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No user nobody; the users are: admin/);

    const short = await reset(['admin', '--password-stdin'], 'short\n');
    assert.equal(short.code, 1);
    assert.match(short.stderr, /A password is 12 to/);

    const nowhere = await runCli(['server', 'reset-password', 'admin'], {
      entry: 'source',
      home,
      env: { HOIST_DATA_DIR: path.join(home, 'empty') },
    });
    assert.equal(nowhere.code, 2);
    assert.match(nowhere.stderr, /there is no store at .*set HOIST_DATA_DIR/);
  });
});
