/**
 * PrometheusMetrics: the page it renders from what the domain told it and
 * what it reads at each scrape. Real prom-client, real text format.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PrometheusMetrics } from '../../src/adapters/metrics/prometheus-metrics.js';
import { sample } from '../support/metrics-page.js';

function newMetrics(state = { pending: 0, inProgress: 0, reachable: true }) {
  const metrics = new PrometheusMetrics({
    queueDepth: async () => state.pending,
    inProgress: async () => state.inProgress,
    engines: async () => [{ id: 'local', reachable: state.reachable }],
  });
  return { metrics, state, page: async () => (await metrics.render()).body };
}

describe('PrometheusMetrics', () => {
  it('has every call and action series at 0 before anything happened', async () => {
    const { page } = newMetrics();
    const text = await page();
    for (const kind of ['hook', 'registry']) {
      for (const result of ['accepted', 'coalesced', 'ignored', 'refused', 'unknown_token']) {
        assert.equal(sample(text, 'hoist_calls_total', { kind, result }), 0);
      }
    }
    for (const type of ['redeploy', 'scale']) {
      for (const state of ['Success', 'Failed', 'Canceled']) {
        assert.equal(sample(text, 'hoist_actions_total', { type, state }), 0);
      }
    }
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });

  it('counts calls and ended actions, and times the actions', async () => {
    const { metrics, page } = newMetrics();
    metrics.callTaken('hook', 'accepted');
    metrics.callTaken('hook', 'accepted');
    metrics.callTaken('registry', 'unknown_token');
    metrics.actionEnded('redeploy', 'Success', 12);
    metrics.actionEnded('redeploy', 'Success', 40);
    metrics.actionEnded('scale', 'Failed', 3);
    const text = await page();
    assert.equal(sample(text, 'hoist_calls_total', { kind: 'hook', result: 'accepted' }), 2);
    assert.equal(
      sample(text, 'hoist_calls_total', { kind: 'registry', result: 'unknown_token' }),
      1,
    );
    assert.equal(sample(text, 'hoist_actions_total', { type: 'redeploy', state: 'Success' }), 2);
    assert.equal(sample(text, 'hoist_actions_total', { type: 'scale', state: 'Failed' }), 1);
    const success = { type: 'redeploy', state: 'Success' };
    assert.equal(sample(text, 'hoist_action_duration_seconds_count', success), 2);
    assert.equal(sample(text, 'hoist_action_duration_seconds_sum', success), 52);
    assert.equal(sample(text, 'hoist_action_duration_seconds_bucket', { ...success, le: '30' }), 1);
  });

  it('reads the queue and the engine at each scrape', async () => {
    const { state, page } = newMetrics({ pending: 3, inProgress: 1, reachable: false });
    let text = await page();
    assert.equal(sample(text, 'hoist_action_queue_depth'), 3);
    assert.equal(sample(text, 'hoist_actions_in_progress'), 1);
    assert.equal(sample(text, 'hoist_engine_reachable', { engine: 'local' }), 0);
    Object.assign(state, { pending: 0, inProgress: 0, reachable: true });
    text = await page();
    assert.equal(sample(text, 'hoist_action_queue_depth'), 0);
    assert.equal(sample(text, 'hoist_engine_reachable', { engine: 'local' }), 1);
  });

  it("keeps one last-redeploy series per service, under the service's current name", async () => {
    const { metrics, page } = newMetrics();
    const id = '0b5e3c1a-8f5e-4c1e-9d7a-2f9e4b6a1c3d';
    metrics.redeploySucceeded({ id, name: 'shop-web' }, '2026-12-05T10:00:00.000Z');
    metrics.redeploySucceeded({ id, name: 'shop-www' }, '2026-12-05T11:00:00.000Z');
    const text = await page();
    const series = text
      .split('\n')
      .filter((line) => line.startsWith('hoist_service_last_redeploy_success_timestamp_seconds'));
    assert.deepEqual(series, [
      `hoist_service_last_redeploy_success_timestamp_seconds{service_id="${id}",service="shop-www"} ${Date.parse('2026-12-05T11:00:00.000Z') / 1000}`,
    ]);
  });
});
