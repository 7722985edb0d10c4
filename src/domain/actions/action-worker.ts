import type { Clock } from '../clock.js';
import { isoNow } from '../clock.js';
import { EngineUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { Store } from '../ports/store.js';
import { outcomeFields, type Action, type ActionOutcome } from './action.js';

export interface ActionRunner {
  /** Runs (or resumes, when action.progress is set) an action; throws EngineUnavailableError to be retried. */
  run(action: Action): Promise<ActionOutcome>;
  /** Puts the service back as it was before an action that will not be run again. */
  abandon(action: Action): Promise<void>;
}

export interface WorkerOptions {
  maxConcurrent: number;
  /** Starts of one action (crash resumes included) before it is given up as Failed. */
  maxAttempts: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** How often the queue is looked at when nobody wakes the worker. */
  tickMs: number;
}

/**
 * Runs queued actions in the background: at most one per service (the store's
 * claim enforces it) and at most maxConcurrent at once. Actions left In
 * progress by a previous process (a crash) are resumed first. While the
 * engine is unreachable an action keeps its slot and state and is retried
 * with exponential backoff; its log says why.
 */
export class ActionWorker {
  private readonly running = new Map<string, Promise<void>>();
  private readonly resumeQueue: Action[] = [];
  private stopping = false;
  private wakeUp: () => void = () => {};
  /** Set by notify(); read before sleeping so a wake-up during fill() is not lost. */
  private wakeRequested = false;
  private stopped: () => void = () => {};
  private readonly stoppedSignal = new Promise<void>((resolve) => (this.stopped = resolve));
  private loopDone: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: {
      store: Store;
      runner: ActionRunner;
      clock: Clock;
      logger: Logger;
      options: WorkerOptions;
      /** Told when an action starts and when it ends (live views listen). */
      onChange?: (action: Action) => void;
      /** Counts and times ended actions; knows each service's last successful redeploy. */
      metrics?: Metrics;
    },
  ) {}

  async start(): Promise<void> {
    const leftovers = await this.deps.store.listActions({ state: 'In progress', limit: 10_000 });
    this.resumeQueue.push(...leftovers.reverse());
    if (leftovers.length > 0) {
      this.deps.logger.warn(
        { count: leftovers.length },
        'resuming actions interrupted by a restart',
      );
    }
    if (this.deps.metrics) {
      for (const last of await this.deps.store.listLastSuccessfulRedeploys()) {
        this.deps.metrics.redeploySucceeded(last.service, last.endedAt);
      }
    }
    this.loopDone = this.loop();
  }

  /** Wakes the worker now instead of at its next tick (called after a call is enqueued). */
  notify(): void {
    this.wakeRequested = true;
    this.wakeUp();
  }

  /** Stops claiming work and waits up to graceMs for running actions; the rest resume on the next start. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    this.stopped();
    this.wakeUp();
    await this.loopDone;
    const all = Promise.allSettled([...this.running.values()]);
    await Promise.race([all, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
  }

  get activeCount(): number {
    return this.running.size;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      this.wakeRequested = false;
      try {
        await this.fill();
      } catch (error) {
        this.deps.logger.error({ err: error }, 'the action worker could not read its queue');
      }
      if (this.wakeRequested || this.stopping) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.deps.options.tickMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async fill(): Promise<void> {
    const { store, clock, options } = this.deps;
    while (!this.stopping && this.running.size < options.maxConcurrent) {
      const resumed = this.resumeQueue.shift();
      let action: Action | null;
      if (resumed) {
        action = { ...resumed, attempts: resumed.attempts + 1 };
        await store.updateAction(action.id, { attempts: action.attempts });
      } else {
        action = await store.claimNextAction(isoNow(clock));
      }
      if (!action) return;
      const id = action.id;
      this.deps.onChange?.(action);
      const run = this.execute(action).finally(() => {
        this.running.delete(id);
        this.notify();
      });
      this.running.set(id, run);
    }
  }

  private async execute(first: Action): Promise<void> {
    const { store, runner, clock, logger, options } = this.deps;
    const log = (message: string) => store.appendActionLog(first.id, isoNow(clock), message);
    let action = first;
    let delay = options.retryInitialMs;
    let lastOutage = '';
    try {
      if (action.attempts > options.maxAttempts) {
        await runner.abandon(action);
        await this.finish(action, {
          state: 'Failed',
          reason: `Gave up after ${options.maxAttempts} attempts, each interrupted before it ended.`,
        });
        return;
      }
      for (;;) {
        try {
          await this.finish(action, await runner.run(action));
          return;
        } catch (error) {
          if (!(error instanceof EngineUnavailableError)) throw error;
          if (error.message !== lastOutage) {
            await log(`Waiting for the engine: ${error.message}`);
            lastOutage = error.message;
          }
          logger.warn({ actionId: action.id, retryInMs: delay }, 'engine unavailable, will retry');
          await Promise.race([clock.sleep(delay), this.stoppedSignal]);
          if (this.stopping) return;
          delay = Math.min(delay * 2, options.retryMaxMs);
          action = (await store.getAction(action.id)) ?? action;
        }
      }
    } catch (error) {
      logger.error({ err: error, actionId: action.id }, 'action failed unexpectedly');
      const reason = error instanceof Error ? error.message : String(error);
      await this.finish(action, { state: 'Failed', reason }).catch((finishError: unknown) =>
        logger.error(
          { err: finishError, actionId: action.id },
          'could not record an action failure',
        ),
      );
    }
  }

  private async finish(action: Action, outcome: ActionOutcome): Promise<void> {
    const { store, clock, logger } = this.deps;
    const at = isoNow(clock);
    await store.appendActionLog(
      action.id,
      at,
      `${action.type === 'scale' ? 'Scale' : 'Redeploy'} ${outcome.state === 'Success' ? 'succeeded' : `failed: ${outcome.reason}`}`,
    );
    const written = {
      ...outcomeFields(outcome),
      state: outcome.state,
      reason: outcome.reason,
      endedAt: at,
    };
    await store.updateAction(action.id, written);
    this.deps.onChange?.({ ...action, ...written });
    logger.info({ actionId: action.id, state: outcome.state }, 'action finished');
    await this.measure(action, outcome.state, at);
  }

  /** Tells the metrics how an action ended; a failure here never changes the action. */
  private async measure(action: Action, state: ActionOutcome['state'], at: string): Promise<void> {
    const { metrics, store, logger } = this.deps;
    if (!metrics) return;
    const started = action.startedAt ? Date.parse(action.startedAt) : Date.parse(at);
    metrics.actionEnded(action.type, state, Math.max(0, Date.parse(at) - started) / 1000);
    if (action.type !== 'redeploy' || state !== 'Success') return;
    try {
      const service = await store.getService(action.serviceId);
      if (service) metrics.redeploySucceeded(service, at);
    } catch (error) {
      logger.warn({ err: error, actionId: action.id }, 'could not read the service for metrics');
    }
  }
}
