/**
 * Helpers shared by the benchmark rows: child processes, free ports, wrk runs
 * parsed from a Lua done() hook, /proc readings, and seeding Hoist's store
 * directly through its store API (src/adapters/store).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Agent } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { openSqliteStore } from '../src/adapters/store/open-store.js';
import { generateSecretToken, hashSecretToken, tokenPrefix } from '../src/domain/secret-token.js';
import { ENGINE_ID } from '../src/server.js';
import { actionRecord, webhookRecord } from '../test/support/records.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Node flags bin/hoist.js's shebang gives `hoist server` (read from it, so
 * a server the bench starts another way runs with the same ones).
 */
export const HOIST_NODE_FLAGS: string[] = (
  readFileSync(path.join(ROOT, 'bin/hoist.js'), 'utf8').split('\n')[0] ?? ''
)
  .split(/\s+/)
  .filter((arg) => arg.startsWith('--'));
export const HOST = '127.0.0.1';
export const CONNECTIONS = 32;
export const DURATION_S = 10;

/** One printed row of the table. */
export interface Row {
  name: string;
  hoist: string;
  baseline: string;
  ratio: string;
  target: string;
  verdict: 'met' | 'not met' | 'n/a' | 'not measured';
  notes?: string;
}

export function notMeasured(name: string, why: string): Row {
  return {
    name,
    hoist: `not measured: ${why}`,
    baseline: '-',
    ratio: '-',
    target: '-',
    verdict: 'not measured',
  };
}

export function tempDir(tag: string): string {
  return mkdtempSync(path.join(tmpdir(), `hoist-bench-${tag}-`));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Answers the HTTP status of one request (or 0 when the connection failed). */
export function httpStatus(port: number, method: string, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, method, path: urlPath, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

export async function waitForHttp(
  port: number,
  urlPath: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await httpStatus(port, 'GET', urlPath)) > 0) return;
    await sleep(100);
  }
  throw new Error(`nothing answered on ${HOST}:${port}${urlPath} within ${timeoutMs} ms`);
}

/** One POST over `agent`, timed from the request to the end of the answer. */
export function timedPost(
  agent: Agent,
  port: number,
  urlPath: string,
): Promise<{ ms: number; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = request({ host: HOST, port, method: 'POST', path: urlPath, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({
          ms: Number(process.hrtime.bigint() - t0) / 1e6,
          status: res.statusCode ?? 0,
          body,
        }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** The q-quantile (0..1) of an ascending array. */
export function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export interface Proc {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** Starts a child with its output in logFile; stop() sends SIGTERM, then SIGKILL after 5 s. */
export function startProc(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile: string },
): Proc {
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(cmd, args, {
    cwd: opts.cwd ?? ROOT,
    env: opts.env ?? process.env,
    stdio: ['ignore', fd, fd],
  });
  if (child.pid === undefined) throw new Error(`could not start ${cmd}`);
  const pid = child.pid;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    pid,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** VmRSS of a process in MB. */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** utime+stime of a process in clock ticks (USER_HZ, 100 on Linux). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export interface WrkResult {
  requests: number;
  non2xx: number;
  socketErrors: number;
  ok2xx: number;
  durationS: number;
  rps2xx: number;
  p50ms: number;
  p99ms: number;
}

/**
 * Runs wrk against url for DURATION_S, by default with 2 threads and
 * CONNECTIONS connections. With pathsFile, every request POSTs to a random path
 * from that file; with pauseMs, each connection pauses between requests (wrk's
 * delay() hook). The numbers come from a Lua done() hook, not from scraping
 * the text summary. wrk's errors.status counts answers with status > 399;
 * nothing here answers 3xx.
 */
export async function runWrk(
  url: string,
  opts: {
    pathsFile?: string;
    workDir: string;
    threads?: number;
    connections?: number;
    /** Each connection waits this long after an answer before its next request. */
    pauseMs?: number;
  },
): Promise<WrkResult> {
  const resultFile = path.join(opts.workDir, `wrk-${randomUUID()}.json`);
  const lua = path.join(opts.workDir, `wrk-${randomUUID()}.lua`);
  const pick = opts.pathsFile
    ? `
local paths = {}
for line in io.lines(${JSON.stringify(opts.pathsFile)}) do paths[#paths + 1] = line end
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
request = function()
  return wrk.format("POST", paths[math.random(#paths)])
end
`
    : `wrk.method = "POST"\n`;
  const pause = opts.pauseMs === undefined ? '' : `delay = function() return ${opts.pauseMs} end\n`;
  writeFileSync(
    lua,
    `${pick}${pause}
done = function(summary, latency, requests)
  local e = summary.errors
  local f = io.open(${JSON.stringify(resultFile)}, "w")
  f:write(string.format(
    '{"requests":%d,"duration_us":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50":%d,"p99":%d}',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
  f:close()
end
`,
  );
  const { threads = 2, connections = CONNECTIONS } = opts;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      'wrk',
      [`-t${threads}`, `-c${connections}`, `-d${DURATION_S}s`, '--timeout', '5s', '-s', lua, url],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    const kill = setTimeout(() => child.kill('SIGKILL'), (DURATION_S + 20) * 1000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(kill);
      if (code === 0) resolve();
      else reject(new Error(`wrk exited with ${code}`));
    });
  });
  const r = JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, number>;
  const get = (k: string): number => r[k] ?? 0;
  const durationS = get('duration_us') / 1e6;
  const ok2xx = get('requests') - get('status');
  return {
    requests: get('requests'),
    non2xx: get('status'),
    socketErrors: get('connect') + get('read') + get('write') + get('timeout'),
    ok2xx,
    durationS,
    rps2xx: ok2xx / durationS,
    p50ms: get('p50') / 1000,
    p99ms: get('p99') / 1000,
  };
}

export function fmtWrk(r: WrkResult): string {
  return `${Math.round(r.rps2xx)} 2xx/s, p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms`;
}

/**
 * Writes services and REDEPLOY handlers straight into a new store at
 * dataDir/hoist.sqlite (the file `hoist server` opens): the migrations run
 * through openSqliteStore, then the rows go in with one transaction.
 * Returns the handler tokens (the secret part of /hooks/{token}).
 *
 * With `waiting`, each service also has a Pending redeploy, as row 1's one
 * service has after its first call, so every call joins one (coalesced): the
 * rows that compare many handlers with one then measure the same call, not
 * one that queues a new redeploy on many services against one that never does.
 */
export async function seedStore(
  dataDir: string,
  services: number,
  handlersPerService: number,
  opts: { waiting?: boolean } = {},
): Promise<{ tokens: string[]; serviceIds: string[] }> {
  const file = path.join(dataDir, 'hoist.sqlite');
  const store = await openSqliteStore(file);
  const tokens: string[] = [];
  const serviceIds: string[] = [];
  const now = new Date().toISOString();
  await store.transaction(async (tx) => {
    for (let s = 0; s < services; s++) {
      const service = await tx.upsertService({
        id: randomUUID(),
        engineId: ENGINE_ID,
        kind: 'container',
        key: `bench-${s}`,
        name: `bench-${s}`,
        seenAt: now,
        imageRef: 'busybox:latest',
        digest: null,
      });
      serviceIds.push(service.id);
      if (opts.waiting) await tx.insertAction(actionRecord(service.id, { createdAt: now }));
      for (let h = 0; h < handlersPerService; h++) {
        const token = generateSecretToken();
        await tx.insertWebhook(
          webhookRecord(service.id, {
            name: `bench ${h}`,
            tokenPrefix: tokenPrefix(token),
            tokenHash: hashSecretToken(token),
            createdAt: now,
          }),
        );
        tokens.push(token);
      }
    }
  });
  await store.close();
  return { tokens, serviceIds };
}

/** Runs one read-only query against the store file (the server may still be running: WAL). */
export function queryCount(dataDir: string, sql: string, ...params: unknown[]): number {
  const db = new BetterSqlite3(path.join(dataDir, 'hoist.sqlite'), { readonly: true });
  try {
    const row = db.prepare(sql).get(...params) as { n: number } | undefined;
    return row?.n ?? 0;
  } finally {
    db.close();
  }
}

/**
 * Starts `bin/hoist.js server` as `npx hoist server` does (through its shebang,
 * with its Node flags) on a free loopback port against dataDir.
 */
export async function startHoist(
  dataDir: string,
  extraEnv: NodeJS.ProcessEnv = {},
  /** 'node': `node bin/hoist.js server`, without the shebang's Node flags (row 5's baseline). */
  launch: 'shebang' | 'node' = 'shebang',
): Promise<Proc & { port: number }> {
  mkdirSync(dataDir, { recursive: true });
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOIST_HOST: HOST,
    HOIST_PORT: String(port),
    HOIST_DATA_DIR: dataDir,
    // An engine that does not exist: calls are accepted and recorded, redeploys wait.
    DOCKER_HOST: `unix://${path.join(dataDir, 'no-engine.sock')}`,
    ...extraEnv,
  };
  const bin = path.join(ROOT, 'bin/hoist.js');
  const [cmd, args] =
    launch === 'shebang' ? [bin, ['server']] : [process.execPath, [bin, 'server']];
  const proc = startProc(cmd, args, {
    env,
    logFile: path.join(dataDir, 'hoist.log'),
  });
  try {
    await waitForHttp(port, '/api/v1/engines');
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { ...proc, port };
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** One call of Hoist's API with the admin token; throws with the answer when it is not 2xx. */
export async function api<T>(
  port: number,
  token: string,
  method: string,
  p: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`http://${HOST}:${port}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p} answered ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as T;
}

/**
 * Creates a handler named "bench" for the service Hoist lists under `serviceName`, with the
 * admin token of the server on `dataDir`; returns its /hooks/ path.
 */
export async function benchHandler(port: number, dataDir: string, serviceName: string) {
  const admin = readFileSync(path.join(dataDir, 'initial-admin-token'), 'utf8').trim();
  const { services } = await api<{ services: { id: string; name: string }[] }>(
    port,
    admin,
    'GET',
    '/api/v1/services',
  );
  const service = services.find((s) => s.name === serviceName);
  if (!service) throw new Error(`Hoist does not list the ${serviceName} container`);
  const { url } = await api<{ url: string }>(
    port,
    admin,
    'POST',
    `/api/v1/services/${service.id}/webhooks`,
    { name: 'bench' },
  );
  return { admin, hookPath: new URL(url).pathname };
}

/** A private engine and registry from scripts/test-engine.sh (no Swarm): its env file's variables. */
export function startEngine(): Record<string, string> {
  const out = execFileSync('bash', [path.join(ROOT, 'scripts/test-engine.sh'), 'start'], {
    env: { ...process.env, HOIST_TEST_ENGINE_SWARM: '0' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 120_000,
  });
  const envFile = out.trim().split('\n').pop() ?? '';
  const env: Record<string, string> = {};
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const m = /^export (\w+)=(.*)$/.exec(line.trim());
    if (m) env[m[1] as string] = (m[2] as string).replace(/^["']|["']$/g, '');
  }
  return env;
}

/** Stops what startEngine started; best effort (the directory name is in the log). */
export function stopEngine(engineDir: string): void {
  try {
    execFileSync('bash', [path.join(ROOT, 'scripts/test-engine.sh'), 'stop', engineDir], {
      stdio: 'ignore',
      timeout: 60_000,
    });
  } catch {
    // best effort
  }
}
