/**
 * Row 4, Redeploy overhead: on a private engine and registry
 * (scripts/test-engine.sh, no Swarm), a one-container standalone service.
 * Hoist: POST its handler URL, then poll GET /api/v1/actions/{id} every 50 ms
 * until Success. Docker CLI: pull, stop, rm, run, then sleep for the same
 * monitor period Hoist uses (HOIST_MONITOR_SECONDS=1). Five of each,
 * interleaved; medians compared.
 */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  HOST,
  api,
  benchHandler,
  removeDir,
  sleep,
  startEngine,
  startHoist,
  stopEngine,
  tempDir,
  type Row,
} from './lib.js';

const run = promisify(execFile);
const ROUNDS = 5;
const MONITOR_SECONDS = 1;
/** Exits at once on SIGTERM, so `docker stop` never waits out its grace period. */
const CMD = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1 & wait $!; done'];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export async function redeployOverhead(): Promise<Row[]> {
  const name = '4 Redeploy overhead';
  for (const bin of ['docker', 'dockerd', 'docker-registry']) {
    try {
      execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    } catch {
      return [
        {
          name,
          hoist: `not measured: ${bin} not installed (bash scripts/setup.sh)`,
          baseline: '-',
          ratio: '-',
          target: '<= 1.15x',
          verdict: 'not measured',
        },
      ];
    }
  }
  if (!existsSync('/bin/busybox')) throw new Error('/bin/busybox missing (busybox-static)');
  const engineEnv = startEngine();
  const dockerHost = engineEnv.HOIST_TEST_DOCKER_HOST;
  const registry = engineEnv.HOIST_TEST_REGISTRY;
  const engineDir = engineEnv.HOIST_TEST_ENGINE_DIR;
  const dir = tempDir('redeploy');
  try {
    if (!dockerHost || !registry) throw new Error('test-engine.sh gave no engine or registry');
    const docker = (...args: string[]) =>
      run('docker', ['-H', dockerHost, ...args], { timeout: 60_000 });
    const image = `${registry}/hoist-bench:latest`;
    const ctx = path.join(dir, 'image');
    mkdirSync(ctx);
    copyFileSync('/bin/busybox', path.join(ctx, 'busybox'));
    writeFileSync(
      path.join(ctx, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox"]\n',
    );
    await docker('build', '-q', '-t', image, ctx);
    await docker('push', image);
    await docker('run', '-d', '--name', 'bench-hoist', image, ...CMD);
    await docker('run', '-d', '--name', 'bench-cli', image, ...CMD);

    const dataDir = path.join(dir, 'data');
    const server = await startHoist(dataDir, {
      DOCKER_HOST: dockerHost,
      HOIST_MONITOR_SECONDS: String(MONITOR_SECONDS),
    });
    const hoistMs: number[] = [];
    const cliMs: number[] = [];
    try {
      const { admin, hookPath } = await benchHandler(server.port, dataDir, 'bench-hoist');

      for (let i = 0; i < ROUNDS; i++) {
        // Hoist: call -> Success.
        let t0 = performance.now();
        const res = await fetch(`http://${HOST}:${server.port}${hookPath}`, { method: 'POST' });
        const called = (await res.json()) as { action?: { id: string } };
        const actionId = called.action?.id;
        if (!actionId) throw new Error(`the call answered ${res.status} without an action`);
        const deadline = Date.now() + 120_000;
        for (;;) {
          const a = await api<{ state: string; reason: string | null }>(
            server.port,
            admin,
            'GET',
            `/api/v1/actions/${actionId}`,
          );
          if (a.state === 'Success') break;
          if (a.state === 'Failed' || a.state === 'Canceled' || Date.now() > deadline) {
            throw new Error(`Hoist's redeploy ended ${a.state}: ${a.reason ?? 'timed out'}`);
          }
          await sleep(50);
        }
        hoistMs.push(performance.now() - t0);

        // Docker CLI: the same steps by hand.
        t0 = performance.now();
        await docker('pull', image);
        await docker('stop', 'bench-cli');
        await docker('rm', 'bench-cli');
        await docker('run', '-d', '--name', 'bench-cli', image, ...CMD);
        await sleep(MONITOR_SECONDS * 1000);
        cliMs.push(performance.now() - t0);
      }
    } finally {
      await server.stop();
    }
    const h = median(hoistMs);
    const c = median(cliMs);
    const ratio = h / c;
    const list = (xs: number[]) => xs.map((x) => Math.round(x)).join(', ');
    return [
      {
        name: `${name} (median of ${ROUNDS}, monitor ${MONITOR_SECONDS} s)`,
        hoist: `${Math.round(h)} ms call -> Success (${list(hoistMs)})`,
        baseline: `docker CLI pull+stop+rm+run+sleep ${MONITOR_SECONDS} s: ${Math.round(c)} ms (${list(cliMs)})`,
        ratio: `${ratio.toFixed(2)}x`,
        target: '<= 1.15x',
        verdict: ratio <= 1.15 ? 'met' : 'not met',
        notes:
          'image unchanged between rounds (both pull the same digest); Hoist polled every 50 ms; Hoist starts the new container before stopping the old one',
      },
    ];
  } finally {
    removeDir(dir);
    if (engineDir) stopEngine(engineDir);
  }
}
