/**
 * Row 6, Unknown vs revoked tokens, for handler URLs (6) and registry
 * endpoint URLs (6b): both must answer the same 404, and in the same time as
 * far as this many calls can tell, so a caller cannot tell a revoked URL from
 * one that never existed. One keep-alive connection, calls
 * one at a time, unknown and revoked in pairs of random order (the
 * unknown-token limit raised so both stay 404). The verdict asks whether the
 * difference of the medians is distinguishable from zero: a bootstrap 95%
 * interval of it must contain 0. An attacker averaging this many calls (50
 * minutes of the default unknown-token limit from one address) would see no
 * more than the row does.
 */
import { Agent } from 'node:http';
import path from 'node:path';
import { openSqliteStore } from '../src/adapters/store/open-store.js';
import { systemClock } from '../src/domain/clock.js';
import { Registries } from '../src/domain/registries/registries.js';
import { hashSecretToken } from '../src/domain/secret-token.js';
import { quantile, removeDir, seedStore, startHoist, tempDir, timedPost, type Row } from './lib.js';

const ROUNDS = 3000;
const WARM_UP = 300;
const RESAMPLES = 2000;

function median(xs: number[]): number {
  return quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
}

function resample(xs: number[]): number[] {
  return xs.map(() => xs[Math.floor(Math.random() * xs.length)] as number);
}

/** A bootstrap 95% interval of median(b) - median(a). */
function medianDifferenceInterval(a: number[], b: number[]): [number, number] {
  const diffs: number[] = [];
  for (let i = 0; i < RESAMPLES; i++) diffs.push(median(resample(b)) - median(resample(a)));
  diffs.sort((x, y) => x - y);
  return [quantile(diffs, 0.025), quantile(diffs, 0.975)];
}

/** What a run of one kind of secret URL measured: times of each token and the 404 bodies seen. */
interface Sample {
  times: { unknown: number[]; revoked: number[] };
  bodies: Set<string>;
}

/** Calls the unknown and the revoked URL in pairs of random order, ROUNDS times after WARM_UP. */
async function sample(agent: Agent, port: number, prefix: string, revokedToken: string) {
  // An unknown token of the same shape (43 base64url characters).
  const unknownToken = revokedToken.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
  const result: Sample = { times: { unknown: [], revoked: [] }, bodies: new Set() };
  for (let i = 0; i < WARM_UP + ROUNDS; i++) {
    // Random order within each pair: whatever the first call of a pair pays, both pay alike.
    const pair =
      Math.random() < 0.5 ? (['unknown', 'revoked'] as const) : (['revoked', 'unknown'] as const);
    for (const kind of pair) {
      const token = kind === 'unknown' ? unknownToken : revokedToken;
      const answer = await timedPost(agent, port, `${prefix}/${token}`);
      if (answer.status !== 404) throw new Error(`${kind} token answered ${answer.status}`);
      result.bodies.add(answer.body);
      if (i >= WARM_UP) result.times[kind].push(answer.ms);
    }
  }
  return result;
}

/** The row's verdict: one 404 body, and a p50 difference whose 95% interval holds 0. */
function verdictRow(name: string, { times, bodies }: Sample): Row {
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { p25: quantile(s, 0.25), p50: quantile(s, 0.5), p75: quantile(s, 0.75) };
  };
  const u = stats(times.unknown);
  const r = stats(times.revoked);
  const diff = r.p50 - u.p50;
  const [low, high] = medianDifferenceInterval(times.unknown, times.revoked);
  const us = (ms: number) => `${ms >= 0 ? '+' : ''}${(ms * 1000).toFixed(0)} us`;
  const fmt = (s: { p25: number; p50: number; p75: number }) =>
    `p50 ${s.p50.toFixed(3)} ms (IQR ${s.p25.toFixed(3)}-${s.p75.toFixed(3)})`;
  return {
    name,
    hoist: `revoked: ${fmt(r)}; ${bodies.size === 1 ? 'same body' : `${bodies.size} different bodies`}`,
    baseline: `unknown: ${fmt(u)}`,
    ratio: `${us(diff)} (95%: ${us(low)} to ${us(high)})`,
    target: 'same body; p50 difference not distinguishable from 0 (its 95% interval holds 0)',
    verdict: bodies.size === 1 && low <= 0 && high >= 0 ? 'met' : 'not met',
    notes: `${ROUNDS} calls of each, in pairs of random order on one keep-alive connection after ${WARM_UP} warm-up rounds; interval of the p50 difference from ${RESAMPLES} bootstrap resamples`,
  };
}

export async function tokenLatency(): Promise<Row[]> {
  const dir = tempDir('token-latency');
  try {
    const dataDir = path.join(dir, 'data');
    const { tokens } = await seedStore(dataDir, 1, 1);
    const revokedHook = tokens[0] as string;
    const store = await openSqliteStore(path.join(dataDir, 'hoist.sqlite'));
    let revokedRegistry: string;
    try {
      const webhook = await store.findActiveWebhookByTokenHash(hashSecretToken(revokedHook));
      if (!webhook) throw new Error('the seeded handler is missing');
      await store.revokeWebhook(webhook.id, new Date().toISOString());
      const registries = new Registries({ store, clock: systemClock, publicUrl: 'http://bench' });
      const created = await registries.create('bench registry');
      revokedRegistry = created.url.slice(created.url.lastIndexOf('/') + 1);
      await registries.revoke(created.registry.id);
    } finally {
      await store.close();
    }
    const server = await startHoist(dataDir, { HOIST_UNKNOWN_TOKEN_LIMIT_PER_MINUTE: '1000000' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let hooks: Sample;
    let registryEvents: Sample;
    try {
      hooks = await sample(agent, server.port, '/hooks', revokedHook);
      registryEvents = await sample(agent, server.port, '/registry-events', revokedRegistry);
    } finally {
      agent.destroy();
      await server.stop();
    }
    return [
      verdictRow('6 Unknown vs revoked handler token (404 latency)', hooks),
      verdictRow('6b Unknown vs revoked registry endpoint token (404 latency)', registryEvents),
    ];
  } finally {
    removeDir(dir);
  }
}
