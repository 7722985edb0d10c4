/**
 * A real Prometheus (Debian's `prometheus`, installed by scripts/setup.sh)
 * scrapes an in-process Hoist's /metrics every second with the metrics token,
 * as the README's scrape config says, and its query API returns Hoist's call
 * counter after handler calls. Hoist's engine does not exist (test/helper.ts):
 * calls are still accepted and counted.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addStoredService, startTestApp, type TestApp } from '../helper.js';
import { createWebhook } from '../support/scenario.js';
import { freePort, waitFor } from '../support/test-engine.js';

const METRICS_TOKEN = randomBytes(24).toString('base64url');

interface QueryAnswer {
  status: string;
  data: { result: { metric: Record<string, string>; value: [number, string] }[] };
}

describe('Prometheus scraping Hoist', () => {
  let dir: string;
  let hoist: TestApp;
  let prometheus: ChildProcess | undefined;
  let prometheusUrl: string;
  let output = '';

  const query = async (promql: string): Promise<QueryAnswer['data']['result']> => {
    const response = await fetch(
      `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`,
    );
    const answer = (await response.json()) as QueryAnswer;
    assert.equal(answer.status, 'success', JSON.stringify(answer));
    return answer.data.result;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hoist-prometheus-'));
    hoist = await startTestApp({ HOIST_METRICS_TOKEN: METRICS_TOKEN });
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    const config = path.join(dir, 'prometheus.yml');
    await writeFile(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  scrape_timeout: 1s',
        'scrape_configs:',
        '  - job_name: hoist',
        '    authorization:',
        `      credentials: ${METRICS_TOKEN}`,
        '    static_configs:',
        `      - targets: ['${new URL(hoist.url).host}']`,
        '',
      ].join('\n'),
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prometheus.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    prometheus.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<never>((_resolve, reject) => {
      prometheus?.on('error', (error) =>
        reject(
          new Error(
            `prometheus did not start (bash scripts/setup.sh installs it): ${error.message}`,
          ),
        ),
      );
      prometheus?.on('exit', (code) =>
        reject(new Error(`prometheus exited (${code}):\n${output}`)),
      );
    });
    exited.catch(() => {});
    await Promise.race([
      exited,
      waitFor(
        'Prometheus ready',
        async () => (await fetch(`${prometheusUrl}/-/ready`)).status === 200,
        60_000,
      ),
    ]);
  });

  after(async () => {
    if (prometheus && prometheus.exitCode === null) {
      const gone = new Promise((resolve) => prometheus?.once('exit', resolve));
      prometheus.kill('SIGTERM');
      await gone;
    }
    await hoist?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("its query API returns Hoist's call counter after calls", async () => {
    // Scraped with the token: the target is up before any call is made.
    await waitFor(
      'a successful scrape',
      async () => (await query('up{job="hoist"}'))[0]?.value[1] === '1',
      30_000,
    );
    const service = await addStoredService(hoist.store, 'hoist-test-prometheus');
    const handler = await createWebhook(hoist, service.id, 'prometheus');
    for (let i = 0; i < 3; i++) {
      assert.equal((await fetch(handler.url, { method: 'POST' })).status, 202);
    }

    const calls = await waitFor(
      'three handler calls in Prometheus',
      async () => {
        const result = await query('hoist_calls_total{kind="hook"}');
        const taken = result
          .filter((r) => r.metric.result === 'accepted' || r.metric.result === 'coalesced')
          .reduce((sum, r) => sum + Number(r.value[1]), 0);
        return taken === 3 ? result : undefined;
      },
      30_000,
    );
    const byResult = Object.fromEntries(calls.map((r) => [r.metric.result, Number(r.value[1])]));
    assert.ok((byResult.accepted ?? 0) >= 1, JSON.stringify(byResult));
    assert.equal(byResult.unknown_token, 0);
    for (const series of calls) {
      assert.equal(series.metric.job, 'hoist');
      assert.equal(series.metric.__name__, 'hoist_calls_total');
    }
  });
});
