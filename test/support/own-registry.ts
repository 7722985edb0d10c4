/**
 * A test's own distribution registry (Debian's docker-registry), whose
 * `notifications` point at a URL the test chooses (a Hoist registry endpoint),
 * and pushing test images to it from the private test engine. The registry
 * started by scripts/test-engine.sh notifies nobody; this one does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildAndPushTestImage,
  freePort,
  pushTestImage,
  testDocker,
  waitFor,
  type PushedTestImage,
  type TestImageOptions,
} from './test-engine.js';

export interface OwnRegistry {
  /** 127.0.0.1:PORT: what image references name and what its events give as request.host. */
  host: string;
  /** Everything it logged so far. */
  logs(): string;
  stop(): Promise<void>;
}

/** Starts `docker-registry serve` on a free loopback port, notifying `notifyUrl` of every push and pull. */
export async function startOwnRegistry(notifyUrl: string): Promise<OwnRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'hoist-own-registry-'));
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const config = path.join(dir, 'config.yml');
    await writeFile(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: info',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${path.join(dir, 'data')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        `  secret: hoist-own-registry-${port}`,
        'notifications:',
        '  endpoints:',
        '    - name: hoist',
        `      url: ${notifyUrl}`,
        '      timeout: 2s',
        '      threshold: 5',
        '      backoff: 1s',
        '',
      ].join('\n'),
    );
    let output = '';
    const child = spawn('docker-registry', ['serve', config], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const host = `127.0.0.1:${port}`;
    if (await answers(host, child)) {
      return {
        host,
        logs: () => output,
        async stop() {
          await stopChild(child, exited);
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    await stopChild(child, exited);
    if (attempt >= 3) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start on ${host}: ${output.slice(-2000)}`);
    }
  }
}

/** Whether the registry answers /v2/ within 15 s; false as soon as it exited. */
async function answers(host: string, child: ChildProcess): Promise<boolean> {
  const outcome = await waitFor(
    `docker-registry to answer on ${host}`,
    async () => {
      if (child.exitCode !== null) return 'exited';
      // Throws while nothing listens yet: waitFor polls again.
      const response = await fetch(`http://${host}/v2/`);
      return response.status === 200 ? 'up' : undefined;
    },
    15_000,
  ).catch(() => 'timed out');
  return outcome === 'up';
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Builds a test image (buildAndPushTestImage: it also lands in the shared test
 * registry), tags it `${host}/${repo}:${tag}` and pushes it to `host`.
 */
export async function buildAndPushTo(
  host: string,
  options: TestImageOptions,
): Promise<PushedTestImage> {
  const built = await buildAndPushTestImage(options);
  const repo = `${host}/${options.repo}`;
  return tagAndPush(built.ref, repo, options.tag);
}

/** Tags an image of the test engine as `repo:tag` and pushes it; returns the pushed digest. */
export async function tagAndPush(
  source: string,
  repo: string,
  tag: string,
): Promise<PushedTestImage> {
  await tagImage(source, repo, tag);
  return pushTestImage(`${repo}:${tag}`);
}

/** Tags an image of the test engine under another name, pushing nothing. */
export async function tagImage(source: string, repo: string, tag: string): Promise<void> {
  await testDocker().getImage(source).tag({ repo, tag });
}
