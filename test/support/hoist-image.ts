/**
 * Hoist's container image, built from the repository's Dockerfile on the
 * private test engine (`docker build --network host`, so RUN steps reach
 * Debian's mirror and npm as this machine does), on base images made here
 * (scripts/test-image-bases.sh: no image can be pulled).
 *
 * A build takes minutes, so a built image is kept in $HOIST_TEST_CACHE_DIR
 * (default /var/cache/hoist-test) as a `docker save` tarball named after a
 * hash of everything the build reads: the Dockerfile, the build context and
 * the base images. The next run with the same inputs loads it instead of
 * building; HOIST_TEST_IMAGE_REBUILD=1 builds anyway.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './repo-root.js';

const CACHE_DIR = process.env.HOIST_TEST_CACHE_DIR ?? '/var/cache/hoist-test';
const REPOSITORY = 'hoist-test/hoist';

/**
 * What the build reads: the build context as .dockerignore lets it in (it
 * starts with `*`: a `!path` line lets a path in, a plain line keeps one out),
 * plus the Dockerfile, .dockerignore itself and the bases script.
 */
async function buildInputs(): Promise<{ inputs: string[]; excluded: Set<string> }> {
  const lines = (await readFile(path.join(REPO_ROOT, '.dockerignore'), 'utf8'))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#') && line !== '*');
  const bare = (line: string) => line.replace(/^!/, '').replace(/^\/+|\/+$/g, '');
  for (const line of lines) {
    if (/[*?[]/.test(line)) {
      throw new Error(`.dockerignore: "${line}" is a pattern; hoist-image.ts reads only paths.`);
    }
  }
  return {
    inputs: [
      'scripts/test-image-bases.sh',
      'Dockerfile',
      '.dockerignore',
      ...lines.filter((line) => line.startsWith('!')).map(bare),
    ],
    excluded: new Set(lines.filter((line) => !line.startsWith('!')).map(bare)),
  };
}

export interface BuiltImage {
  /** hoist-test/hoist:<inputs hash>. */
  ref: string;
  /** How the image came: built now, loaded from the cache, or already on the engine. */
  source: 'built' | 'cache' | 'engine';
}

/** Hoist's image on the engine at dockerHost: built, or taken from the cache. */
export async function hoistImage(dockerHost: string): Promise<BuiltImage> {
  const env = { ...process.env, DOCKER_HOST: dockerHost, DOCKER_BUILDKIT: '0' };
  const bases = path.join(REPO_ROOT, 'scripts/test-image-bases.sh');
  // The root file system the base images are made of, not their ids: each import makes new ones.
  const root = (await run('bash', [bases, '--root-only'], env)).trim().split('\n').pop();
  const key = await inputsHash(`${root} node ${process.version}`);
  const ref = `${REPOSITORY}:${key}`;
  const tarball = path.join(CACHE_DIR, `hoist-image-${key}.tar`);
  const rebuild = process.env.HOIST_TEST_IMAGE_REBUILD === '1';

  if (!rebuild && (await succeeds('docker', ['image', 'inspect', ref], env))) {
    return { ref, source: 'engine' };
  }
  if (!rebuild && existsSync(tarball)) {
    await run('docker', ['load', '-q', '-i', tarball], env);
    return { ref, source: 'cache' };
  }
  const buildArgs = (await run('bash', [bases], env)).trim().split('\n').pop()?.split(' ') ?? [];
  await run(
    'docker',
    ['build', '--network', 'host', '--force-rm', ...buildArgs, '-t', ref, REPO_ROOT],
    env,
  );
  await mkdir(CACHE_DIR, { recursive: true });
  for (const old of await readdir(CACHE_DIR)) {
    if (old.startsWith('hoist-image-')) await rm(path.join(CACHE_DIR, old), { force: true });
  }
  await run('docker', ['save', '-o', `${tarball}.partial`, ref], env);
  await rename(`${tarball}.partial`, tarball);
  return { ref, source: 'built' };
}

/** A hash of the bases and of every file the build reads (the bases script among them). */
async function inputsHash(bases: string): Promise<string> {
  const hash = createHash('sha256').update(bases);
  const { inputs, excluded } = await buildInputs();
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    if (excluded.has(relative)) return;
    const full = path.join(REPO_ROOT, relative);
    const entries = await readdir(full, { withFileTypes: true }).catch(() => null);
    if (entries === null) {
      files.push(relative);
      return;
    }
    for (const entry of entries) await walk(path.join(relative, entry.name));
  };
  for (const input of inputs) await walk(input);
  for (const file of files.sort()) {
    hash.update(`\0${file}\0`).update(await readFile(path.join(REPO_ROOT, file)));
  }
  return hash.digest('hex').slice(0, 16);
}

const execFileAsync = promisify(execFile);

async function succeeds(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return execFileAsync(command, args, { env }).then(
    () => true,
    () => false,
  );
}

/** Runs a command; its stdout, or an error with the end of its output. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      output += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else {
        const tail = output.trim().split('\n').slice(-30).join('\n');
        reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${tail}`));
      }
    });
  });
}
