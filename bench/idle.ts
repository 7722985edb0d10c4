/**
 * Row 5, Idle footprint: a fresh `hoist server` (empty store, no engine
 * reachable), left alone; VmRSS and CPU% over the 10 s after it answered.
 */
import path from 'node:path';
import { cpuTicks, removeDir, rssMb, sleep, startHoist, tempDir, type Row } from './lib.js';

const CLOCK_TICKS_PER_S = 100; // USER_HZ on Linux

export async function idle(): Promise<Row[]> {
  const dir = tempDir('idle');
  try {
    const server = await startHoist(path.join(dir, 'data'));
    let rss: number;
    let cpuPct: number;
    try {
      const t0 = cpuTicks(server.pid);
      const w0 = Date.now();
      await sleep(10_000);
      const ticks = cpuTicks(server.pid) - t0;
      cpuPct = (ticks / CLOCK_TICKS_PER_S / ((Date.now() - w0) / 1000)) * 100;
      rss = rssMb(server.pid);
    } finally {
      await server.stop();
    }
    return [
      {
        name: '5 Idle footprint (10 s after start)',
        hoist: `${rss.toFixed(0)} MB VmRSS, ${cpuPct.toFixed(2)}% CPU over those 10 s`,
        baseline: '-',
        ratio: '-',
        target: 'RSS <= 120 MB',
        verdict: rss <= 120 ? 'met' : 'not met',
        notes: 'empty store; DOCKER_HOST points at a socket that does not exist',
      },
    ];
  } finally {
    removeDir(dir);
  }
}
