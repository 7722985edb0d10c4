/**
 * Row 3, Coalescing: one REDEPLOY handler; a first call starts a redeploy
 * (it is claimed, "In progress", and keeps running: the engine is unreachable
 * so it retries with backoff and never finishes during the row); then 1,000
 * calls within one second. Counts the redeploy actions the burst created.
 */
import { Agent, request } from 'node:http';
import path from 'node:path';
import {
  HOST,
  queryCount,
  removeDir,
  seedStore,
  sleep,
  startHoist,
  tempDir,
  type Row,
} from './lib.js';

const CALLS = 1000;

function post(agent: Agent, port: number, urlPath: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: HOST, port, method: 'POST', path: urlPath, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(0));
    req.end();
  });
}

export async function coalescing(): Promise<Row[]> {
  const dir = tempDir('coalesce');
  try {
    const dataDir = path.join(dir, 'data');
    const { tokens } = await seedStore(dataDir, 1, 1);
    const hookPath = `/hooks/${tokens[0] as string}`;
    const server = await startHoist(dataDir);
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    let statuses: number[];
    let burstMs: number;
    let running: number;
    try {
      const first = await post(agent, server.port, hookPath);
      if (first !== 202 && first !== 200) throw new Error(`first call answered ${first}`);
      const deadline = Date.now() + 10_000;
      running = 0;
      while (Date.now() < deadline) {
        running = queryCount(
          dataDir,
          "select count(*) as n from actions where state = 'In progress'",
        );
        if (running > 0) break;
        await sleep(50);
      }
      const t0 = Date.now();
      statuses = await Promise.all(
        Array.from({ length: CALLS }, () => post(agent, server.port, hookPath)),
      );
      burstMs = Date.now() - t0;
      await sleep(500);
    } finally {
      agent.destroy();
      await server.stop();
    }
    const ok = statuses.filter((s) => s >= 200 && s < 300).length;
    const total = queryCount(dataDir, 'select count(*) as n from actions');
    const followUps = total - 1;
    const inBurst = burstMs <= 1000;
    return [
      {
        name: `3 Coalescing (${CALLS} calls during a redeploy)`,
        hoist: `${followUps} follow-up redeploy(s) from ${ok}/${CALLS} 2xx calls sent in ${burstMs} ms (first redeploy In progress: ${running > 0 ? 'yes' : 'no'})`,
        baseline: '-',
        ratio: '-',
        target: 'exactly 1 follow-up, calls within 1 s',
        verdict: followUps === 1 && inBurst && running > 0 && ok === CALLS ? 'met' : 'not met',
        notes:
          'the running redeploy waits on an unreachable engine (retries with backoff), so it cannot finish mid-burst',
      },
    ];
  } finally {
    removeDir(dir);
  }
}
