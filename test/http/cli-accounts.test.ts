/**
 * The CLI's accounts: `hoist login -u`, `whoami`, `token` and `user`, run as
 * a user runs them (the CLI's source as a subprocess, through tsx) against a
 * real server in process (test/helper.ts); no Docker. Each person signs in
 * from a HOME of their own, so a saved login is theirs alone and the real one
 * is never touched.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApiToken } from '../../src/http/api-types.js';
import { SIGN_IN_FAILURES_PER_MINUTE } from '../../src/domain/auth/users.js';
import { startTestApp, type TestApp } from '../helper.js';
import { runCli } from '../support/cli-process.js';

describe('hoist login -u, whoami, token and user', () => {
  let server: TestApp;
  let root: string;
  let adminPassword: string;
  /** The HOME each person runs the CLI from: admin, alice, and a machine with a deploy token. */
  const homes = { admin: '', alice: '', ci: '' };
  let alicePassword = '';
  let deployToken = '';

  const hoist = (who: keyof typeof homes, args: string[], input?: string) =>
    runCli(args, { entry: 'source', home: homes[who], ...(input === undefined ? {} : { input }) });

  const savedLogin = async (who: keyof typeof homes) => {
    const file = path.join(homes[who], 'config', 'hoist', 'config.json');
    try {
      return JSON.parse(await readFile(file, 'utf8')) as { url: string; token: string };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  };

  /** The line after `label` in the CLI's output, trimmed: where it prints a secret. */
  const lineAfter = (stdout: string, label: RegExp) => {
    const lines = stdout.split('\n');
    const at = lines.findIndex((line) => label.test(line));
    assert.ok(at >= 0 && lines[at + 1], `no line after ${label} in:\n${stdout}`);
    return lines[at + 1]!.trim();
  };

  before(async () => {
    server = await startTestApp();
    root = await mkdtemp(path.join(tmpdir(), 'hoist-cli-accounts-'));
    for (const who of Object.keys(homes) as (keyof typeof homes)[]) {
      homes[who] = await mkdtemp(path.join(root, `${who}-`));
    }
    adminPassword = (
      await readFile(path.join(server.dataDir, 'initial-admin-password'), 'utf8')
    ).trim();
  });

  after(async () => {
    await server?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  test('a wrong password: refused, with a nonzero exit, and nothing saved', async () => {
    const run = await hoist(
      'admin',
      ['login', server.url, '-u', 'admin', '--password-stdin'],
      'not-the-password\n',
    );
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /the username or password is wrong\. Nothing was saved\./);
    assert.equal(run.stdout, '');
    assert.equal(await savedLogin('admin'), null);
  });

  test('login -u admin --password-stdin: saves a new token named for this machine', async () => {
    const run = await hoist(
      'admin',
      ['login', server.url, '-u', 'admin', '--password-stdin'],
      `${adminPassword}\n`,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      new RegExp(
        `^Logged in to ${server.url} as admin \\(admin; token scopes: read, deploy, manage, admin\\)\\. Saved to `,
      ),
    );
    const saved = await savedLogin('admin');
    assert.equal(saved?.url, server.url);
    assert.ok(saved.token && saved.token !== server.token, 'a new token, not the initial one');
    const { body } = await server.api<{ tokens: ApiToken[] }>('GET', '/api/v1/tokens');
    assert.ok(body.tokens.some((t) => /^hoist CLI on .+/.test(t.name)));
  });

  test('whoami: user, role, token name and scopes', async () => {
    const run = await hoist('admin', ['whoami']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^User: +admin$/m);
    assert.match(run.stdout, /^Role: +admin$/m);
    assert.match(run.stdout, /^Token: +hoist CLI on .+ \([0-9a-f]{8}\)$/m);
    assert.match(run.stdout, /^Scopes: +read, deploy, manage, admin$/m);
  });

  test('user add: prints the generated password once, and the user signs in with it', async () => {
    const add = await hoist('admin', ['user', 'add', 'alice', '--role', 'operator']);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /^Added operator alice \([0-9a-f]{8}\)\. Their password:$/m);
    assert.match(add.stdout, /shown only this once/);
    alicePassword = lineAfter(add.stdout, /Their password:/);
    assert.ok(alicePassword.length >= 12, alicePassword);

    const login = await hoist(
      'alice',
      ['login', server.url, '-u', 'alice', '--password-stdin'],
      `${alicePassword}\n`,
    );
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /as alice \(operator; token scopes: read, deploy, manage\)/);

    const ls = await hoist('admin', ['user', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^[0-9a-f]{8} +alice +operator +/m);
  });

  test('user set-role: the user and their tokens have the new role at once', async () => {
    const run = await hoist('admin', ['user', 'set-role', 'alice', 'viewer']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /alice is now viewer \(was operator\)/);
    const whoami = await hoist('alice', ['whoami']);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /^Role: +viewer$/m);
    assert.match(whoami.stdout, /^Scopes: +read$/m);

    const unknown = await hoist('admin', ['user', 'set-role', 'bob', 'viewer']);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no user is named "bob".*there are: admin, alice/);
  });

  test('user passwd: a user changes their own password, and signs in with the new one', async () => {
    const newPassword = 'correct horse battery staple';
    const run = await hoist(
      'alice',
      ['user', 'passwd', '--password-stdin'],
      `${alicePassword}\n${newPassword}\n`,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Changed your password/);
    const old = await hoist(
      'alice',
      ['login', server.url, '-u', 'alice', '--password-stdin'],
      `${alicePassword}\n`,
    );
    assert.notEqual(old.code, 0);
    const login = await hoist(
      'alice',
      ['login', server.url, '-u', 'alice', '--password-stdin'],
      `${newPassword}\n`,
    );
    assert.equal(login.code, 0, login.stderr);
  });

  test('token create --scope deploy: shown once, and a login with it works', async () => {
    const run = await hoist('admin', [
      'token',
      'create',
      'ci',
      '--scope',
      'deploy',
      '--expires-in-days',
      '30',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^API token "ci" \([0-9a-f]{8}\), scopes deploy; expires in 30 days \(\d{4}-\d\d-\d\d\):$/m,
    );
    assert.match(run.stdout, /not shown again/);
    deployToken = lineAfter(run.stdout, /^API token "ci"/);

    // A deploy-only token may not list engines, yet login (GET /api/v1/me) takes it.
    const login = await hoist('ci', ['login', server.url, '--token-stdin'], `${deployToken}\n`);
    assert.equal(login.code, 0, login.stderr);
    assert.match(login.stdout, /as admin \(admin; token scopes: deploy\)/);
    assert.equal((await savedLogin('ci'))?.token, deployToken);
    const engines = await hoist('ci', ['engine', 'ls']);
    assert.notEqual(engines.code, 0, 'the deploy scope does not read');
  });

  test('token ls: the tokens, never a secret', async () => {
    const run = await hoist('admin', ['token', 'ls']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ID +NAME +SCOPES +PREFIX +CREATED +EXPIRES +LAST USED$/m);
    assert.match(
      run.stdout,
      /^[0-9a-f]{8} +ci +deploy +\S+… +(just now|\d+ seconds ago) +in (4 weeks|1 month) +/m,
    );
    assert.ok(!run.stdout.includes(deployToken), 'the secret is not listed');
    const json = await hoist('admin', ['token', 'ls', '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.ok(!json.stdout.includes(deployToken), 'nor in --json');
    const names = (JSON.parse(json.stdout) as ApiToken[]).map((t) => t.name);
    assert.ok(names.includes('ci'));
  });

  test('token rm: the token is refused from then on', async () => {
    const run = await hoist('admin', ['token', 'rm', 'ci']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stdout,
      /^Revoked API token "ci" \([0-9a-f]{8}\): it is refused from now on\.$/m,
    );
    const whoami = await hoist('ci', ['whoami']);
    assert.notEqual(whoami.code, 0);
    assert.match(whoami.stderr, /hoist login/);
    const relogin = await hoist('ci', ['login', server.url, '--token-stdin'], `${deployToken}\n`);
    assert.notEqual(relogin.code, 0);
    assert.match(relogin.stderr, /refused this API token.*Nothing was saved/);
  });

  test('user rm: the user is gone, and so are their tokens', async () => {
    const run = await hoist('admin', ['user', 'rm', 'alice']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Removed viewer alice/);
    const ls = await hoist('admin', ['user', 'ls', '-q']);
    assert.deepEqual(ls.stdout.split('\n').filter(Boolean), ['admin']);
    const whoami = await hoist('alice', ['whoami']);
    assert.notEqual(whoami.code, 0);
  });

  test('too many failed sign-ins: 429, and the CLI says when to retry', async () => {
    // The failures a minute allows, straight to the API; the CLI's is the one too many.
    for (let i = 0; i < SIGN_IN_FAILURES_PER_MINUTE.username; i++) {
      const response = await fetch(`${server.url}/api/v1/sign-in`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nobody', password: 'wrong-password' }),
      });
      assert.equal(response.status, 401);
    }
    const run = await hoist(
      'ci',
      ['login', server.url, '-u', 'nobody', '--password-stdin'],
      'wrong-password\n',
    );
    assert.notEqual(run.code, 0);
    assert.match(
      run.stderr,
      /too many failed attempts; retry after \d+ seconds\. Nothing was saved\./,
    );
  });
});
