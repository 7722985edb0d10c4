/**
 * The data directory and its files are private to Hoist's user whatever the umask: a real
 * server started on real directories under the usual umask 022, and the helpers on their own.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { destination } from 'pino';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { unreachableDockerHost } from '../helper.js';
import { ensurePrivateDir, writePrivateFile } from '../../src/adapters/files/private-files.js';

const PRIVATE_FILES = new URL('../../src/adapters/files/private-files.ts', import.meta.url).href;
/** Prints what ensurePrivateDir(argv[1]) throws. */
const TRY_DIR = `import(${JSON.stringify(PRIVATE_FILES)}).then((m) => { try { m.ensurePrivateDir(process.argv[1]); console.log('no error'); } catch (e) { console.log(e.message); } })`;

function tryDir(dir: string): string {
  try {
    ensurePrivateDir(dir);
    return 'no error';
  } catch (error) {
    return (error as Error).message;
  }
}

const modeOf = (file: string) => statSync(file).mode & 0o777;
const octal = (mode: number) => `0${mode.toString(8)}`;

let root: string;
let umask: number;
before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'hoist-private-'));
  // What most shells have: new files 0644 and directories 0755 unless the code says otherwise.
  umask = process.umask(0o022);
});
after(() => {
  process.umask(umask);
  rmSync(root, { recursive: true, force: true });
});

async function startOn(dataDir: string) {
  return startServer(
    loadConfig({
      HOIST_DATA_DIR: dataDir,
      HOIST_PORT: '0',
      HOIST_HOST: '127.0.0.1',
      HOIST_LOG_LEVEL: 'silent',
      // Nothing answers there: the server starts with its engine unreachable, as it may.
      DOCKER_HOST: unreachableDockerHost(),
    }),
    { logDestination: destination({ dest: '/dev/null', sync: true }) },
  );
}

/** The data directory 0700, and the database, its -wal and -shm, and the token file 0600. */
function assertPrivate(dataDir: string): void {
  assert.equal(octal(modeOf(dataDir)), '0700');
  for (const name of [
    'hoist.sqlite',
    'hoist.sqlite-wal',
    'hoist.sqlite-shm',
    'initial-admin-token',
  ]) {
    assert.equal(octal(modeOf(path.join(dataDir, name))), '0600', name);
  }
}

describe('hoist server under umask 022', () => {
  it('creates the data directory 0700 and its database and token files 0600', async () => {
    const dataDir = path.join(root, 'fresh', 'data');
    const server = await startOn(dataDir);
    try {
      assertPrivate(dataDir);
    } finally {
      await server.close();
    }
  });

  it('tightens an existing data directory, database files and a stale token file', async () => {
    const dataDir = path.join(root, 'loose');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const first = await startOn(dataDir);
    await first.close();
    // What an older Hoist (or a copied backup) left: everything readable by others.
    chmodSync(dataDir, 0o755);
    for (const name of ['hoist.sqlite', 'initial-admin-token']) {
      chmodSync(path.join(dataDir, name), 0o644);
    }
    writeFileSync(path.join(dataDir, 'hoist.sqlite-wal'), '', { mode: 0o644 });
    chmodSync(path.join(dataDir, 'hoist.sqlite-wal'), 0o644);

    const second = await startOn(dataDir);
    try {
      assertPrivate(dataDir);
    } finally {
      await second.close();
    }
  });

  it('writes a new initial admin token 0600 over a looser file of that name', async () => {
    const dataDir = path.join(root, 'token');
    mkdirSync(dataDir, { mode: 0o700 });
    const tokenFile = path.join(dataDir, 'initial-admin-token');
    writeFileSync(tokenFile, 'left over\n');
    chmodSync(tokenFile, 0o644);
    const server = await startOn(dataDir);
    try {
      assert.equal(octal(modeOf(tokenFile)), '0600');
      assert.notEqual(readFileSync(tokenFile, 'utf8'), 'left over\n');
    } finally {
      await server.close();
    }
  });
});

describe('private-files', () => {
  it('refuses a sticky shared directory instead of locking others out of it', () => {
    const shared = path.join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    assert.throws(
      () => ensurePrivateDir(shared),
      /shared directory \(sticky bit, like \/tmp\).*HOIST_DATA_DIR/,
    );
    assert.equal(statSync(shared).mode & 0o1777, 0o1777, 'left as it was');
  });

  it('says what to do when it cannot tighten a directory it does not own', () => {
    // Only a file's owner may chmod it. Root may chmod anything, so as root the check runs as
    // the user nobody on a directory root owns; any other user tries the root directory.
    const dir = mkdtempSync(path.join(tmpdir(), 'hoist-not-mine-'));
    chmodSync(dir, 0o755);
    try {
      const message =
        process.getuid?.() === 0
          ? execFileSync(
              'setpriv',
              [
                '--reuid=65534',
                '--regid=65534',
                '--clear-groups',
                process.execPath,
                '--import',
                'tsx',
                '-e',
                TRY_DIR,
                dir,
              ],
              { encoding: 'utf8' },
            )
          : tryDir('/');
      const target = process.getuid?.() === 0 ? dir : '/';
      assert.match(message, /has mode 0755, which lets other users read Hoist's secrets/);
      assert.match(message, /could not change it to 0700 \(EPERM\)/);
      assert.match(
        message,
        new RegExp(`run \`chmod 0700 ${target}\` as its owner, or set HOIST_DATA_DIR`),
      );
      assert.equal(statSync(dir).mode & 0o777, 0o755, 'left as it was');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replaces the contents of an existing file', () => {
    const file = path.join(root, 'replace');
    writeFileSync(file, 'a much longer old content\n');
    writePrivateFile(file, 'new\n');
    assert.equal(readFileSync(file, 'utf8'), 'new\n');
    assert.equal(octal(modeOf(file)), '0600');
  });
});
