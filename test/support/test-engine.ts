/**
 * Helpers for tests that run against the private Docker engine and registry
 * started by scripts/test-engine.sh (`npm test` starts them). Tests fail, never
 * skip, when that engine is missing.
 *
 * Everything a test creates on the engine (containers, volumes, networks)
 * must carry the label io.hoist.test=1 (TEST_LABELS), so cleanupTestContainers()
 * finds it. The same goes for the one-node swarm beside it (testSwarmDocker(),
 * HOIST_TEST_SWARM_DOCKER_HOST): Swarm services too, which
 * cleanupTestSwarmServices() removes with everything else labelled there.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type Dockerode from 'dockerode';
import { createDockerClient } from '../../src/adapters/engine/docker-client.js';
import { demultiplex } from '../../src/adapters/engine/log-demultiplex.js';

export const TEST_LABEL = 'io.hoist.test';
export const TEST_LABELS: Readonly<Record<string, string>> = Object.freeze({ [TEST_LABEL]: '1' });

/** The busybox binary the test images are made of (Debian's busybox-static). */
export const BUSYBOX_PATH = process.env.HOIST_TEST_BUSYBOX ?? '/bin/busybox';

/** A CMD that makes the container exit at once with status 3 (a broken release). */
export const EXIT_AT_ONCE_CMD: readonly string[] = Object.freeze([
  'sh',
  '-c',
  'echo "v2 is broken: exiting" >&2; exit 3',
]);

export interface TestEngineEnv {
  /** unix:///tmp/hoist-engine.XXXXXX/docker.sock */
  dockerHost: string;
  /** 127.0.0.1:PORT, the local registry (no TLS, no auth). */
  registry: string;
}

export function testEngineEnv(): TestEngineEnv {
  const dockerHost = process.env.HOIST_TEST_DOCKER_HOST;
  const registry = process.env.HOIST_TEST_REGISTRY;
  if (!dockerHost) {
    throw new Error(
      'HOIST_TEST_DOCKER_HOST is not set: run the tests with `npm test`, which starts a private Docker engine (scripts/test-engine.sh)',
    );
  }
  if (!registry) {
    throw new Error(
      'HOIST_TEST_REGISTRY is not set: run the tests with `npm test`, which starts a private Docker engine and registry (scripts/test-engine.sh)',
    );
  }
  return { dockerHost, registry };
}

let client: Dockerode | undefined;

/** A dockerode client for the private test engine (one per process). */
export function testDocker(): Dockerode {
  client ??= createDockerClient(testEngineEnv().dockerHost);
  return client;
}

/** unix:///tmp/hoist-engine.XXXXXX/swarm/docker.sock: the private one-node swarm's manager. */
export function testSwarmDockerHost(): string {
  const host = process.env.HOIST_TEST_SWARM_DOCKER_HOST;
  if (!host) {
    throw new Error(
      'HOIST_TEST_SWARM_DOCKER_HOST is not set: run the tests with `npm test`, which starts a private one-node swarm beside the standalone engine (scripts/test-engine.sh; it starts none when HOIST_TEST_ENGINE_SWARM=0 or when another swarm manager holds port 7946)',
    );
  }
  return host;
}

let swarmClient: Dockerode | undefined;

/** A dockerode client for the private one-node swarm (one per process). */
export function testSwarmDocker(): Dockerode {
  swarmClient ??= createDockerClient(testSwarmDockerHost());
  return swarmClient;
}

export type TestHealthcheck =
  | 'http'
  | 'never'
  | {
      test: string[];
      intervalSeconds?: number;
      timeoutSeconds?: number;
      retries?: number;
      startPeriodSeconds?: number;
    };

export interface TestImageOptions {
  /** Repository under the local registry, e.g. "hoist-test/web". */
  repo: string;
  tag: string;
  /** Served as /www/index.html, so HTTP tells versions apart. */
  version: string;
  /** CMD (exec form, run by /bin/busybox). Default: httpd -f -p 80 -h /www. */
  cmd?: readonly string[];
  /** 'http' passes once httpd answers; 'never' always fails; or a custom exec-form test. */
  healthcheck?: TestHealthcheck;
  env?: Record<string, string>;
  /** VOLUME paths. */
  volumes?: string[];
  workdir?: string;
  user?: string;
  stopSignal?: string;
  labels?: Record<string, string>;
  /** EXPOSE entries, e.g. ["80/tcp"]. */
  expose?: string[];
  /** Extra files: path inside the image (absolute) -> content. */
  files?: Record<string, string>;
}

export interface PushedTestImage {
  /** host/repo:tag: the shared test registry's, or another's (pushTestImage). */
  ref: string;
  digest: string;
  imageId: string;
}

/** Builds a tiny busybox image, tags it `${registry}/${repo}:${tag}`, pushes it; returns the digest. */
export async function buildAndPushImage(options: TestImageOptions): Promise<string> {
  return (await buildAndPushTestImage(options)).digest;
}

/**
 * Like buildAndPushImage, with the full reference and the image id.
 *
 * The image is made with `POST /images/create?fromSrc=-` (docker import) and
 * Dockerfile-style `changes`: one step, about 0.2 s. The legacy builder takes
 * about a second per Dockerfile instruction on this engine (vfs), so it is used
 * only for what import cannot set (STOPSIGNAL).
 */
export async function buildAndPushTestImage(options: TestImageOptions): Promise<PushedTestImage> {
  const { registry } = testEngineEnv();
  const ref = `${registry}/${options.repo}:${options.tag}`;
  const docker = testDocker();

  const rootfs: TarFile[] = [
    { path: 'bin/busybox', content: busybox(), mode: 0o755 },
    { path: 'www/index.html', content: Buffer.from(`${options.version}\n`) },
  ];
  for (const [path, content] of Object.entries(options.files ?? {})) {
    rootfs.push({ path: path.replace(/^\/+/, ''), content: Buffer.from(content) });
  }

  let made: ProgressEvent[];
  if (options.stopSignal) {
    const context: TarFile[] = [
      { path: 'Dockerfile', content: Buffer.from(dockerfile(options)) },
      { path: 'rootfs.tar', content: tar(rootfs) },
    ];
    const stream = (await docker.buildImage(tar(context) as unknown as NodeJS.ReadableStream, {
      t: ref,
      rm: true,
      forcerm: true,
    })) as NodeJS.ReadableStream;
    made = await progress(stream);
  } else {
    const stream = (await docker.importImage(tar(rootfs) as unknown as NodeJS.ReadableStream, {
      repo: `${registry}/${options.repo}`,
      tag: options.tag,
      changes: imageChanges(options),
    })) as NodeJS.ReadableStream;
    made = await progress(stream);
  }
  const makeError = made.find((e) => e.error || e.errorDetail);
  if (makeError) {
    throw new Error(
      `building ${ref} failed: ${makeError.errorDetail?.message ?? makeError.error ?? ''}`,
    );
  }

  return pushTestImage(ref);
}

/**
 * Pushes an image of the test engine, `ref` (host/repo:tag), to the registry
 * its reference names (no TLS, no auth): the shared test registry or another.
 * Returns the digest the push reported and the image id.
 */
export async function pushTestImage(ref: string): Promise<PushedTestImage> {
  const docker = testDocker();
  const serveraddress = ref.slice(0, ref.indexOf('/'));
  const push = (await docker.getImage(ref).push({
    authconfig: { serveraddress },
  })) as NodeJS.ReadableStream;
  const pushed = await progress(push);
  const pushError = pushed.find((e) => e.error || e.errorDetail);
  if (pushError) {
    throw new Error(
      `docker push of ${ref} failed: ${pushError.errorDetail?.message ?? pushError.error ?? ''}`,
    );
  }
  const digest = pushed.map((e) => e.aux?.Digest).find((d): d is string => Boolean(d));
  if (!digest) throw new Error(`docker push of ${ref} reported no digest`);
  const image = (await docker.getImage(ref).inspect()) as { Id: string };
  return { ref, digest, imageId: image.Id };
}

/**
 * Removes every container, volume and network labelled io.hoist.test=1 on the
 * test engine, and the volumes those containers mounted (anonymous volumes
 * carry no labels; a reused one is "named" in its new container, so `rm -v`
 * leaves it behind).
 */
export async function cleanupTestContainers(): Promise<void> {
  await cleanupLabelled(testDocker());
}

/**
 * On the one-node swarm: removes every Swarm service labelled io.hoist.test=1,
 * force-removes their task containers at once (Swarm would otherwise stop them
 * one by one, each within its stop grace period), then removes the labelled
 * containers, volumes and networks like cleanupTestContainers().
 */
export async function cleanupTestSwarmServices(): Promise<void> {
  const docker = testSwarmDocker();
  const services = await docker.listServices({ filters: { label: [`${TEST_LABEL}=1`] } });
  const taskContainers = async () =>
    (
      await Promise.all(
        services.map((s) =>
          docker.listContainers({
            all: true,
            filters: { label: [`com.docker.swarm.service.id=${s.ID}`] },
          }),
        ),
      )
    ).flat();
  // Named volumes Swarm made for the tasks carry no labels: note them before they go.
  const mounted = (await taskContainers()).flatMap((c) =>
    (c.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name).map((m) => m.Name!),
  );
  // One service at a time, and Swarm removes their tasks itself: removing task containers
  // behind its back races its task reaper, and Docker 20.10's swarmkit then dereferences a
  // deleted task and crashes the daemon (SetServiceTasksRemove).
  for (const s of services) {
    await docker
      .getService(s.ID)
      .remove()
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode !== 404) throw error;
      });
  }
  await waitFor(
    'Swarm to remove the tasks of the test services',
    async () => ((await taskContainers()).length === 0 ? true : undefined),
    60_000,
    250,
  );
  await Promise.all(
    [...new Set(mounted)].map((name) =>
      docker
        .getVolume(name)
        .remove()
        .catch(() => undefined),
    ),
  );
  await cleanupLabelled(docker);
}

async function cleanupLabelled(docker: Dockerode): Promise<void> {
  const filters = { label: [`${TEST_LABEL}=1`] };
  const containers = await docker.listContainers({ all: true, filters });
  const mounted = new Set<string>();
  for (const c of containers) {
    for (const m of c.Mounts ?? []) {
      if (m.Type === 'volume' && m.Name) mounted.add(m.Name);
    }
  }
  await Promise.all(
    containers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch((error: { statusCode?: number }) => {
          if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
        }),
    ),
  );
  // Mounted by a test container but not labelled: remove unless something else still uses it.
  await Promise.all(
    [...mounted].map((name) =>
      docker
        .getVolume(name)
        .remove()
        .catch(() => undefined),
    ),
  );
  const volumes = await docker.listVolumes({ filters });
  await Promise.all(
    (volumes.Volumes ?? []).map((v) =>
      docker
        .getVolume(v.Name)
        .remove()
        .catch((error: { statusCode?: number }) => {
          if (error.statusCode !== 404) throw error;
        }),
    ),
  );
  const networks = await docker.listNetworks({ filters });
  for (const n of networks) {
    const network = docker.getNetwork(n.Id);
    // A container a test forgot to label may still be attached: detach it first.
    const detail = (await network.inspect().catch(() => null)) as {
      Containers?: Record<string, unknown>;
    } | null;
    for (const containerId of Object.keys(detail?.Containers ?? {})) {
      await network.disconnect({ Container: containerId, Force: true }).catch(() => undefined);
    }
    await network.remove().catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
    });
  }
}

/** Runs a command in a running container (no entrypoint: start with /bin/busybox); stdout+stderr, trimmed. */
export async function execInContainer(
  containerId: string,
  cmd: string[],
): Promise<{ exitCode: number | null; output: string }> {
  const exec = await testDocker()
    .getContainer(containerId)
    .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', reject);
  });
  const inspected = await waitFor('the exec to finish', async () => {
    const info = await exec.inspect();
    return info.Running ? undefined : info;
  });
  return { exitCode: inspected.ExitCode, output: demultiplex(Buffer.concat(chunks)).trim() };
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** GET http://127.0.0.1:port/path and return the body, trimmed; waits until something answers. */
export async function httpText(port: number, path = '/', timeoutMs = 10_000): Promise<string> {
  return waitFor(
    `HTTP on 127.0.0.1:${port}`,
    async () => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        signal: AbortSignal.timeout(2000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return (await response.text()).trim();
    },
    timeoutMs,
  );
}

// ---------------------------------------------------------------------------

/** Dockerfile instructions for the image's configuration (valid both for import and build). */
function imageChanges(o: TestImageOptions): string[] {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(o.env ?? {})) {
    lines.push(`ENV ${key}=${JSON.stringify(value)}`);
  }
  if (o.volumes && o.volumes.length > 0) lines.push(`VOLUME ${JSON.stringify(o.volumes)}`);
  if (o.expose && o.expose.length > 0) lines.push(`EXPOSE ${o.expose.join(' ')}`);
  if (o.workdir) lines.push(`WORKDIR ${o.workdir}`);
  if (o.user) lines.push(`USER ${o.user}`);
  const health = healthcheckLine(o.healthcheck);
  if (health) lines.push(health);
  const labels = { ...o.labels, [TEST_LABEL]: '1', 'io.hoist.test.version': o.version };
  lines.push(
    `LABEL ${Object.entries(labels)
      .map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`)
      .join(' ')}`,
  );
  lines.push('ENTRYPOINT ["/bin/busybox"]');
  lines.push(`CMD ${JSON.stringify(o.cmd ?? ['httpd', '-f', '-p', '80', '-h', '/www'])}`);
  return lines;
}

function dockerfile(o: TestImageOptions): string {
  const lines = ['FROM scratch', 'ADD rootfs.tar /'];
  if (o.stopSignal) lines.push(`STOPSIGNAL ${o.stopSignal}`);
  lines.push(...imageChanges(o));
  return lines.join('\n') + '\n';
}

function healthcheckLine(health: TestHealthcheck | undefined): string | null {
  if (!health) return null;
  if (health === 'http') {
    return 'HEALTHCHECK --interval=1s --timeout=2s --retries=2 CMD ["/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/"]';
  }
  if (health === 'never') {
    return 'HEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD ["/bin/busybox", "false"]';
  }
  const flags = [
    `--interval=${health.intervalSeconds ?? 1}s`,
    `--timeout=${health.timeoutSeconds ?? 2}s`,
    `--retries=${health.retries ?? 2}`,
  ];
  if (health.startPeriodSeconds) flags.push(`--start-period=${health.startPeriodSeconds}s`);
  return `HEALTHCHECK ${flags.join(' ')} CMD ${JSON.stringify(health.test)}`;
}

let busyboxBytes: Buffer | undefined;

function busybox(): Buffer {
  busyboxBytes ??= readFileSync(BUSYBOX_PATH);
  return busyboxBytes;
}

interface ProgressEvent {
  stream?: string;
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
  aux?: { Digest?: string };
}

function progress(stream: NodeJS.ReadableStream): Promise<ProgressEvent[]> {
  return new Promise((resolve, reject) => {
    let text = '';
    stream.on('data', (chunk: Buffer | string) => {
      text += chunk.toString();
    });
    stream.on('error', reject);
    stream.on('end', () => {
      const events: ProgressEvent[] = [];
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          events.push(JSON.parse(line) as ProgressEvent);
        } catch {
          events.push({ stream: line });
        }
      }
      resolve(events);
    });
  });
}

interface TarFile {
  path: string;
  content: Buffer;
  mode?: number;
}

/** A minimal ustar archive of regular files, with entries for their parent directories. */
function tar(files: TarFile[]): Buffer {
  const blocks: Buffer[] = [];
  const dirs = new Set<string>();
  const entry = (path: string, content: Buffer, mode: number, type: '0' | '5') => {
    const header = Buffer.alloc(512);
    if (Buffer.byteLength(path) > 100) throw new Error(`tar: path too long: ${path}`);
    header.write(path, 0, 100, 'utf8');
    writeOctal(header, mode, 100, 8);
    writeOctal(header, 0, 108, 8);
    writeOctal(header, 0, 116, 8);
    writeOctal(header, content.length, 124, 12);
    writeOctal(header, 1_700_000_000, 136, 12);
    header.fill(' ', 148, 156);
    header.write(type, 156, 1, 'ascii');
    header.write('ustar\u000000', 257, 8, 'ascii');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'ascii');
    blocks.push(header, content);
    const pad = (512 - (content.length % 512)) % 512;
    if (pad > 0) blocks.push(Buffer.alloc(pad));
  };
  for (const file of files) {
    const parts = file.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = `${parts.slice(0, i).join('/')}/`;
      if (dirs.has(dir)) continue;
      dirs.add(dir);
      entry(dir, Buffer.alloc(0), 0o755, '5');
    }
    entry(file.path, file.content, file.mode ?? 0o644, '0');
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function writeOctal(header: Buffer, value: number, offset: number, length: number): void {
  header.write(value.toString(8).padStart(length - 1, '0') + '\u0000', offset, length, 'ascii');
}
