/**
 * Row 5, Idle footprint: a fresh `hoist server` (empty store, no engine
 * reachable), left alone; VmRSS and CPU% over the 10 s after it answered.
 * Started as `npx hoist server` starts it (bin/hoist.js through its shebang,
 * with its Node flags), and, as the baseline, with plain `node bin/hoist.js`.
 */
import path from 'node:path';
import { cpuTicks, removeDir, rssMb, sleep, startHoist, tempDir, type Row } from './lib.js';

const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

async function idleServer(
  dir: string,
  launch: 'shebang' | 'node',
): Promise<{ rss: number; cpuPct: number }> {
  const server = await startHoist(path.join(dir, launch), {}, launch);
  try {
    const t0 = cpuTicks(server.pid);
    const w0 = Date.now();
    await sleep(10_000);
    const ticks = cpuTicks(server.pid) - t0;
    return {
      cpuPct: (ticks / CLOCK_TICKS_PER_S / ((Date.now() - w0) / 1000)) * 100,
      rss: rssMb(server.pid),
    };
  } finally {
    await server.stop();
  }
}

export async function idle(): Promise<Row[]> {
  const dir = tempDir('idle');
  try {
    const hoist = await idleServer(dir, 'shebang');
    const plain = await idleServer(dir, 'node');
    return [
      {
        name: '5 Idle footprint (10 s after start)',
        hoist: `${hoist.rss.toFixed(0)} MB VmRSS, ${hoist.cpuPct.toFixed(2)}% CPU over those 10 s`,
        baseline: `node bin/hoist.js (no --max-semi-space-size): ${plain.rss.toFixed(0)} MB, ${plain.cpuPct.toFixed(2)}% CPU`,
        ratio: `${(hoist.rss - plain.rss).toFixed(0)} MB`,
        target: 'RSS <= 120 MB',
        verdict: hoist.rss <= 120 ? 'met' : 'not met',
        notes: 'empty store; DOCKER_HOST points at a socket that does not exist',
      },
    ];
  } finally {
    removeDir(dir);
  }
}
