/**
 * A real `hoist server` in a child process (`node --import tsx src/cli/main.ts
 * server`) against the private test engine, for tests that must crash Hoist
 * for real: kill() sends SIGKILL to the child's whole process group (node and
 * anything it spawned, as `kill -9` would), and restart() starts a new process
 * on the same port and the same data directory, so handler URLs, the admin
 * token and the database survive the crash.
 *
 * Every child is tracked: stopAllServerProcesses() (call it in after()) kills
 * the ones still running and removes their data directories, and a process
 * exit handler kills any child a crashed test run left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { apiRequest } from './api-request.js';
import { freePort, testEngineEnv, waitFor } from './test-engine.js';
import { REPO_ROOT } from './repo-root.js';

const CLI = path.join(REPO_ROOT, 'src', 'cli', 'main.ts');

/** How long a (re)started server may take to answer /healthz: tsx compiles on the fly. */
const START_TIMEOUT_MS = 60_000;

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The admin API token from `<data dir>/initial-admin-token`. */
  readonly token: string;
  /** The pid of the running child; null while it is down. */
  readonly pid: number | null;
  /** Everything every child of this server wrote on stdout and stderr, in order. */
  output(): string;
  api<T = unknown>(
    method: string,
    route: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }>;
  /** SIGKILL to the child's process group; resolves once the child has exited. */
  kill(): Promise<void>;
  /** Starts a new child on the same port and data directory; waits for /healthz. */
  restart(): Promise<void>;
  /** Kills the child if it runs and removes the data directory. */
  dispose(): Promise<void>;
}

/** Children running now (for the exit handler) and servers not yet disposed. */
const live = new Set<ChildProcess>();
const servers = new Set<ServerProcess>();

/** Kills every server this process started that still runs and removes their data directories. */
export async function stopAllServerProcesses(): Promise<void> {
  await Promise.all([...servers].map((server) => server.dispose()));
}

process.once('exit', () => {
  for (const child of live) killGroup(child);
});

/** Starts `hoist server` with a fresh data directory and a free port; waits for /healthz. */
export async function startServerProcess(env: Record<string, string> = {}): Promise<ServerProcess> {
  const { dockerHost } = testEngineEnv();
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hoist-crash-data-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const childEnv: NodeJS.ProcessEnv = {
    // Nothing Hoist reads may leak in from the test's own environment.
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('HOIST_') && k !== 'DOCKER_HOST'),
    ),
    HOIST_PORT: String(port),
    HOIST_HOST: '127.0.0.1',
    HOIST_PUBLIC_URL: url,
    HOIST_DATA_DIR: dataDir,
    DOCKER_HOST: dockerHost,
    HOIST_MONITOR_SECONDS: '3',
    HOIST_HEALTH_TIMEOUT_SECONDS: '30',
    HOIST_LOG_LEVEL: 'warn',
    ...env,
  };

  let output = '';
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();

  const spawnChild = async () => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CLI, 'server'], {
      cwd: REPO_ROOT,
      env: childEnv,
      // Its own process group, so kill() reaches whatever node spawned too.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(proc);
    child = proc;
    let hasExited = false;
    exited = new Promise<void>((resolve) => {
      proc.once('exit', (code, signal) => {
        hasExited = true;
        live.delete(proc);
        output += `[hoist server pid ${proc.pid} exited: ${signal ?? `code ${code}`}]\n`;
        resolve();
      });
    });
    proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    proc.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    try {
      await waitFor(
        `hoist server on ${url} to answer /healthz`,
        async () => {
          if (hasExited) {
            throw new Error(`hoist server exited before it was ready; its output:\n${output}`);
          }
          const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
          return response.ok;
        },
        START_TIMEOUT_MS,
        100,
      );
    } catch (error) {
      killGroup(proc);
      throw new Error(`${(error as Error).message}\n--- server output ---\n${output}`);
    }
  };

  await spawnChild();
  const token = (await readFile(path.join(dataDir, 'initial-admin-token'), 'utf8')).trim();

  const kill = async () => {
    const current = child;
    if (!current) return;
    killGroup(current);
    await exited;
    child = null;
  };

  const server: ServerProcess = {
    url,
    port,
    dataDir,
    token,
    get pid() {
      return (child as ChildProcess | null)?.pid ?? null;
    },
    output: () => output,
    api: <T>(method: string, route: string, body?: unknown) =>
      // A server being killed must not hang a test: each request gives up after 10 s.
      apiRequest<T>(url, token, method, route, body, { timeoutMs: 10_000 }),
    kill,
    async restart() {
      await kill();
      await spawnChild();
    },
    async dispose() {
      servers.delete(server);
      await kill();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  servers.add(server);
  return server;
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    // The negative pid is the group that `detached: true` made for this child alone.
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
