/**
 * The Metrics port on prom-client, and the page GET /metrics serves. Events
 * (calls, ended actions, redeploys) are counted as the domain reports them;
 * states (the queue, the engine) are read when Prometheus scrapes, so they are
 * never stale and nothing keeps them up to date in between. The registry is
 * this object's own, not prom-client's global one.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ActionState, ActionType } from '../../domain/actions/action.js';
import { ENDED_STATES } from '../../domain/actions/action-state.js';
import type { CallKind } from '../../domain/calls/call-endpoint.js';
import { CALL_RESULTS, type CallResultName, type Metrics } from '../../domain/ports/metrics.js';

/** What a scrape reads at that moment. */
export interface ScrapeReadings {
  /** Actions Pending: waiting for a worker slot or for their service's running action. */
  queueDepth(): Promise<number>;
  /** Actions In progress. */
  inProgress(): Promise<number>;
  /** Each engine by its id (a handful at most): whether it answers now. */
  engines(): Promise<{ id: string; reachable: boolean }[]>;
}

// Records, so that a new call kind or action type cannot be left out of the zeroed series.
const CALL_KINDS: Record<CallKind, true> = { hook: true, registry: true };
const ACTION_TYPES: Record<ActionType, true> = { redeploy: true, scale: true };

/** Redeploys take seconds to many minutes (health checks, Swarm update delays). */
const DURATION_BUCKETS = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

export class PrometheusMetrics implements Metrics {
  readonly #registry = new Registry();
  readonly #calls: Counter<'kind' | 'result'>;
  readonly #actions: Counter<'type' | 'state'>;
  readonly #durations: Histogram<'type' | 'state'>;
  readonly #lastRedeploy: Gauge<'service_id' | 'service'>;
  /** The name each service's last-redeploy series carries, to drop it when the service is renamed. */
  readonly #serviceNames = new Map<string, string>();

  constructor(readings: ScrapeReadings) {
    const registers = [this.#registry];
    this.#calls = new Counter({
      name: 'hoist_calls_total',
      help: 'Calls of handler URLs (kind hook) and registry endpoint URLs (kind registry), by result.',
      labelNames: ['kind', 'result'],
      registers,
    });
    this.#actions = new Counter({
      name: 'hoist_actions_total',
      help: 'Actions that ended, by type and final state.',
      labelNames: ['type', 'state'],
      registers,
    });
    this.#durations = new Histogram({
      name: 'hoist_action_duration_seconds',
      help: 'How long ended actions ran, from start to final state.',
      labelNames: ['type', 'state'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.#lastRedeploy = new Gauge({
      name: 'hoist_service_last_redeploy_success_timestamp_seconds',
      help: 'When the newest successful redeploy of each service ended (Unix time).',
      labelNames: ['service_id', 'service'],
      registers,
    });
    new Gauge({
      name: 'hoist_action_queue_depth',
      help: 'Actions Pending.',
      registers,
      async collect() {
        this.set(await readings.queueDepth());
      },
    });
    new Gauge({
      name: 'hoist_actions_in_progress',
      help: 'Actions In progress.',
      registers,
      async collect() {
        this.set(await readings.inProgress());
      },
    });
    new Gauge({
      name: 'hoist_engine_reachable',
      help: 'Whether the engine answers (1) or not (0).',
      labelNames: ['engine'],
      registers,
      async collect() {
        for (const engine of await readings.engines()) {
          this.set({ engine: engine.id }, engine.reachable ? 1 : 0);
        }
      },
    });
    collectDefaultMetrics({ register: this.#registry });

    // Every series is there from the start, at 0: increase() and alerts see the first call.
    for (const kind of Object.keys(CALL_KINDS) as CallKind[]) {
      for (const result of CALL_RESULTS) this.#calls.inc({ kind, result }, 0);
    }
    for (const type of Object.keys(ACTION_TYPES) as ActionType[]) {
      for (const state of ENDED_STATES) this.#actions.inc({ type, state }, 0);
    }
  }

  callTaken(kind: CallKind, result: CallResultName): void {
    this.#calls.inc({ kind, result });
  }

  actionEnded(type: ActionType, state: ActionState, seconds: number): void {
    this.#actions.inc({ type, state });
    this.#durations.observe({ type, state }, seconds);
  }

  redeploySucceeded(service: { id: string; name: string }, at: string): void {
    const before = this.#serviceNames.get(service.id);
    if (before !== undefined && before !== service.name) {
      this.#lastRedeploy.remove({ service_id: service.id, service: before });
    }
    this.#serviceNames.set(service.id, service.name);
    this.#lastRedeploy.set(
      { service_id: service.id, service: service.name },
      Date.parse(at) / 1000,
    );
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.#registry.contentType, body: await this.#registry.metrics() };
  }
}
