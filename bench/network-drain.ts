/**
 * Row 7, Requests during a redeploy: a busybox httpd service known on a
 * user-defined network by an alias, and a client container on that network
 * that requests the alias every 50 ms (busybox wget, 2 s timeout) and prints
 * ok or fail per request. Hoist: 20 handler calls, one after the other, each
 * waited until Success (start-first, the old container drained for
 * HOIST_DRAIN_SECONDS before it stops). Baseline in the same run, with a
 * second client on the same network: 20 times `docker stop old && docker rm
 * old && docker run new` by hand, each followed by the same settle time.
 *
 * The service's process exits at once on SIGTERM, as a well-behaved one does:
 * that is when a stop still named by DNS fails requests.
 *
 * On the private engine of HOIST_TEST_DOCKER_HOST and HOIST_TEST_REGISTRY when
 * both are set, otherwise on one it starts (scripts/test-engine.sh, no Swarm)
 * and stops again.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
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
const ROUNDS = 20;
const MONITOR_SECONDS = 1;
const DRAIN_SECONDS = 3;
const NETWORK = 'bench-drain-net';
/** httpd in the background of a shell that exits on SIGTERM (PID 1 otherwise ignores it). */
const SERVE = ['sh', '-c', 'trap "exit 0" TERM; httpd -f -p 80 -h /www & wait $!'];

function clientScript(alias: string): string[] {
  return [
    'sh',
    '-c',
    `while :; do if timeout 2 wget -q -O /dev/null http://${alias}/ 2>/dev/null; then echo ok; else echo fail; fi; sleep 0.05; done`,
  ];
}

export async function networkDrain(): Promise<Row[]> {
  const name = '7 Requests during a start-first redeploy';
  const given = process.env.HOIST_TEST_DOCKER_HOST && process.env.HOIST_TEST_REGISTRY;
  const engineEnv = given
    ? {
        HOIST_TEST_DOCKER_HOST: process.env.HOIST_TEST_DOCKER_HOST ?? '',
        HOIST_TEST_REGISTRY: process.env.HOIST_TEST_REGISTRY ?? '',
      }
    : startEngine();
  const dockerHost = engineEnv.HOIST_TEST_DOCKER_HOST;
  const registry = engineEnv.HOIST_TEST_REGISTRY;
  const engineDir = given ? undefined : (engineEnv as Record<string, string>).HOIST_TEST_ENGINE_DIR;
  const dir = tempDir('network-drain');
  const docker = (...args: string[]) =>
    run('docker', ['-H', dockerHost ?? '', ...args], { timeout: 60_000 });
  const containers = ['bench-drain-svc', 'bench-drain-manual', 'bench-drain-c1', 'bench-drain-c2'];
  try {
    if (!dockerHost || !registry) throw new Error('no engine or registry');
    const image = `${registry}/hoist-bench-drain:latest`;
    const ctx = path.join(dir, 'image');
    mkdirSync(path.join(ctx, 'www'), { recursive: true });
    copyFileSync('/bin/busybox', path.join(ctx, 'busybox'));
    writeFileSync(path.join(ctx, 'www/index.html'), 'bench\n');
    writeFileSync(
      path.join(ctx, 'Dockerfile'),
      'FROM scratch\nCOPY busybox /bin/busybox\nCOPY www /www\nENTRYPOINT ["/bin/busybox"]\n',
    );
    await docker('build', '-q', '-t', image, ctx);
    await docker('push', image);
    await docker('network', 'create', NETWORK);
    const serve = (container: string, alias: string) =>
      docker(
        'run',
        '-d',
        '--name',
        container,
        '--network',
        NETWORK,
        '--network-alias',
        alias,
        image,
        ...SERVE,
      );
    const client = (container: string, alias: string) =>
      docker('run', '-d', '--name', container, '--network', NETWORK, image, ...clientScript(alias));
    /** Stops the client (its last line is then complete) and counts its ok and fail lines. */
    const tally = async (container: string) => {
      await docker('kill', container);
      const { stdout } = await docker('logs', container);
      const lines = stdout.split('\n');
      return {
        failed: lines.filter((l) => l === 'fail').length,
        total: lines.filter((l) => l === 'ok' || l === 'fail').length,
      };
    };
    await serve('bench-drain-svc', 'drainsvc');
    await serve('bench-drain-manual', 'manualsvc');

    const dataDir = path.join(dir, 'data');
    const server = await startHoist(dataDir, {
      DOCKER_HOST: dockerHost,
      HOIST_MONITOR_SECONDS: String(MONITOR_SECONDS),
      HOIST_DRAIN_SECONDS: String(DRAIN_SECONDS),
    });
    let hoist: { failed: number; total: number } = { failed: 0, total: 0 };
    try {
      const { admin, hookPath } = await benchHandler(server.port, dataDir, 'bench-drain-svc');

      await client('bench-drain-c1', 'drainsvc');
      await sleep(1000);
      for (let i = 0; i < ROUNDS; i++) {
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
      }
      await sleep(1000);
      hoist = await tally('bench-drain-c1');
    } finally {
      await server.stop();
    }

    await client('bench-drain-c2', 'manualsvc');
    await sleep(1000);
    for (let i = 0; i < ROUNDS; i++) {
      await docker('stop', 'bench-drain-manual');
      await docker('rm', 'bench-drain-manual');
      await serve('bench-drain-manual', 'manualsvc');
      await sleep((MONITOR_SECONDS + DRAIN_SECONDS) * 1000);
    }
    await sleep(1000);
    const manual = await tally('bench-drain-c2');
    const fmt = (t: { failed: number; total: number }) => `${t.failed}/${t.total} requests failed`;
    return [
      {
        name: `${name} (${ROUNDS} redeploys, a request every 50 ms)`,
        hoist: `${fmt(hoist)} (drain ${DRAIN_SECONDS} s, monitor ${MONITOR_SECONDS} s)`,
        baseline: `docker stop+rm+run by hand: ${fmt(manual)}`,
        ratio: '-',
        target: '0 failed',
        verdict: hoist.failed === 0 ? 'met' : 'not met',
      },
    ];
  } finally {
    await Promise.all(containers.map((c) => docker('rm', '-f', c).catch(() => undefined)));
    await docker('network', 'rm', NETWORK).catch(() => undefined);
    removeDir(dir);
    if (engineDir) stopEngine(engineDir);
  }
}
