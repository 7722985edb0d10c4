import path from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import type { DestinationStream } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import type { Store } from './domain/ports/store.js';
import { openSqliteStores } from './adapters/store/open-store.js';
import {
  ensurePrivateDir,
  tightenIfPresent,
  writePrivateFile,
} from './adapters/files/private-files.js';
import { DEFAULT_DOCKER_HOST } from './adapters/engine/docker-client.js';
import { DockerEngine } from './adapters/engine/docker-engine.js';
import { systemClock } from './domain/clock.js';
import { ServiceCatalog } from './domain/services/service-catalog.js';
import { HoistItself } from './domain/services/hoist-itself.js';
import { WebhookHandlers } from './domain/webhooks/webhook-handlers.js';
import { CallIntake } from './domain/calls/call-intake.js';
import { Actions } from './domain/actions/actions.js';
import { ActionWorker } from './domain/actions/action-worker.js';
import { StandaloneRedeploy } from './domain/actions/redeploy.js';
import { SwarmRedeploy } from './domain/actions/swarm-redeploy.js';
import { StandaloneScale } from './domain/actions/standalone-scale.js';
import { SwarmScale } from './domain/actions/swarm-scale.js';
import { ActionRunners } from './domain/actions/action-runners.js';
import { ActionEvents } from './domain/actions/action-events.js';
import type { Action } from './domain/actions/action.js';
import { ServiceProvisioning } from './domain/services/service-provisioning.js';
import { Registries } from './domain/registries/registries.js';
import { ActionCallbacks } from './domain/actions/action-callbacks.js';
import { DeliveryRetention } from './domain/webhooks/delivery-retention.js';
import { AuditTrail } from './domain/audit/audit-trail.js';
import { Retention } from './domain/retention.js';
import { CallbackPolicy } from './adapters/callbacks/callback-policy.js';
import { HttpCallbackSender } from './adapters/callbacks/http-callback-sender.js';
import { actionUrl } from './http/presenters.js';
import { ApiTokens } from './domain/auth/api-tokens.js';
import { INITIAL_ADMIN, Users } from './domain/auth/users.js';
import { readEngineStatus } from './domain/engines/engine-status.js';
import { buildApp } from './http/app.js';
import { RateLimiter } from './domain/rate-limiter.js';
import { PrometheusMetrics } from './adapters/metrics/prometheus-metrics.js';
import { createServerLogger } from './server-logger.js';
import { readTlsPair, watchTlsPair } from './http/tls-certificate.js';

export const ENGINE_ID = 'local';

/**
 * On close, running actions get this long to end; the rest stay In progress and resume at
 * the next start, as after a crash. Short enough that close fits in Docker's 10 s stop grace.
 */
const ACTION_STOP_GRACE_MS = 5_000;

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** The store the server runs on, for tests that write records straight into it. */
  store: Store;
  close(): Promise<void>;
}

/** Wires the adapters into the domain and the domain into HTTP; `hoist server` and the tests call this. */
export async function startServer(
  config: Config,
  options: { logDestination?: DestinationStream } = {},
): Promise<RunningServer> {
  // First: a certificate that does not load stops the start before anything is opened.
  const tls = config.tls ? readTlsPair(config.tls) : undefined;
  const logger = createServerLogger(
    { level: config.logLevel, format: config.logFormat },
    options.logDestination,
  );
  ensurePrivateDir(config.dataDir);
  const initialTokenFile = path.join(config.dataDir, 'initial-admin-token');
  const initialPasswordFile = path.join(config.dataDir, 'initial-admin-password');
  tightenIfPresent(initialTokenFile);
  tightenIfPresent(initialPasswordFile);
  const { store, calls } = await openSqliteStores(path.join(config.dataDir, 'hoist.sqlite'));
  const engine = new DockerEngine({
    dockerHost: config.dockerHost,
    dockerConfigDir: config.dockerConfigDir,
  });
  const engineHost = config.dockerHost ?? DEFAULT_DOCKER_HOST;
  const clock = systemClock;
  const engineStatus = () => readEngineStatus(ENGINE_ID, engineHost, engine);

  const apiTokens = new ApiTokens({ store, clock });
  const users = new Users({ store, clock, tokens: apiTokens });
  const itself = new HoistItself({ engine, store, engineId: ENGINE_ID, clock, logger });
  const catalog = new ServiceCatalog({ store, engine, engineId: ENGINE_ID, clock, itself });
  const events = new ActionEvents();
  const callbacks = new ActionCallbacks({
    store,
    sender: new HttpCallbackSender({ policy: new CallbackPolicy(config.callbacks) }),
    logger,
    actionUrl: (id) => actionUrl(id, config.publicUrl),
  });
  const retention = new DeliveryRetention({
    store,
    clock,
    logger,
    retentionDays: config.deliveryRetentionDays,
  });
  const audit = new AuditTrail({ store, clock, logger });
  const auditRetention = new Retention({
    clock,
    logger,
    retentionDays: config.auditRetentionDays,
    what: 'audit events',
    prune: (before) => audit.prune(before),
  });
  const readiness = {
    monitorMs: config.monitorSeconds * 1000,
    healthTimeoutMs: config.healthTimeoutSeconds * 1000,
    pollMs: 250,
  };
  const swarmTiming = { updateTimeoutMs: config.swarmUpdateTimeoutSeconds * 1000, pollMs: 1000 };
  const metrics = config.metrics.enabled
    ? new PrometheusMetrics({
        queueDepth: () => store.countActions('Pending'),
        inProgress: () => store.countActions('In progress'),
        engines: async () => [await engineStatus()],
      })
    : undefined;
  const worker = new ActionWorker({
    store,
    clock,
    logger,
    runner: new ActionRunners({
      store,
      itself,
      standaloneRedeploy: new StandaloneRedeploy({
        store,
        engine,
        clock,
        timing: readiness,
        drainMs: config.drainSeconds * 1000,
      }),
      swarmRedeploy: new SwarmRedeploy({ store, engine, clock, timing: swarmTiming }),
      standaloneScale: new StandaloneScale({ store, engine, clock, timing: readiness }),
      swarmScale: new SwarmScale({ store, engine, clock, timing: swarmTiming }),
    }),
    options: {
      maxConcurrent: config.maxConcurrentActions,
      maxAttempts: 3,
      retryInitialMs: 1000,
      retryMaxMs: 30_000,
      tickMs: 2000,
    },
    onChange: (action) => {
      events.publish(action);
      if (action.endedAt) callbacks.send(action);
    },
    metrics,
  });
  const onEnqueued = (action: Action) => {
    events.publish(action);
    worker.notify();
    void audit.recordQueued(action);
  };

  const initial = await users.ensureInitialAdmin();
  // Printed once, on purpose, outside the structured log: logs never hold secrets.
  if (initial.password) {
    writePrivateFile(initialPasswordFile, `${initial.password}\n`);
    process.stdout.write(
      `\nHoist set a password for the user "${INITIAL_ADMIN}". It is shown only now and kept in ${initialPasswordFile} (mode 0600):\n\n    ${initial.password}\n\n`,
    );
  }
  if (initial.token) {
    writePrivateFile(initialTokenFile, `${initial.token}\n`);
    process.stdout.write(
      `\nHoist created an admin API token. It is shown only now and kept in ${initialTokenFile} (mode 0600):\n\n    ${initial.token}\n\n`,
    );
  }

  const app = await buildApp({
    publicUrl: config.publicUrl,
    logger,
    apiTokens,
    users,
    audit,
    catalog,
    provisioning: new ServiceProvisioning({
      store,
      engine,
      catalog,
      engineId: ENGINE_ID,
      clock,
      itself,
    }),
    webhooks: new WebhookHandlers({ store, catalog, clock, publicUrl: config.publicUrl }),
    intake: new CallIntake({
      store: calls,
      clock,
      engineId: ENGINE_ID,
      itself,
      onEnqueued,
      metrics,
    }),
    registries: new Registries({ store, clock, publicUrl: config.publicUrl }),
    actions: new Actions({ store, catalog, clock, itself, onEnqueued }),
    events,
    engines: async () => [await engineStatus()],
    ready: async () => {
      await store.listUsers();
    },
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    unknownTokenLimiter: new RateLimiter({
      limitPerMinute: config.unknownTokenLimitPerMinute,
      clock,
    }),
    ...(metrics ? { metrics: { page: metrics, token: config.metrics.token } } : {}),
    ...(tls ? { tls } : {}),
  });

  const status = await engineStatus();
  if (status.reachable) {
    logger.info(
      { engine: engineHost, mode: status.mode, version: status.version },
      'engine reachable',
    );
  } else {
    logger.warn(
      { engine: engineHost },
      `engine unreachable: ${status.error} Hoist keeps running; calls are accepted and redeploys wait for the engine.`,
    );
  }

  // Before the first call is taken: Hoist's own service must be known to be left alone.
  if (status.reachable) await itself.detect();
  await worker.start();
  retention.start();
  auditRetention.start();
  const url = await app.listen({ port: config.port, host: config.host });
  // An HTTPS server is a TLS server: a renewed pair is swapped in with setSecureContext.
  const stopWatchingTls = config.tls
    ? watchTlsPair(app.server as unknown as TlsServer, config.tls, logger)
    : undefined;
  logger.info({ url, publicUrl: config.publicUrl, dataDir: config.dataDir }, 'hoist is listening');

  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    store,
    close: () =>
      (closing ??= (async () => {
        retention.stop();
        auditRetention.stop();
        stopWatchingTls?.();
        await app.close();
        await worker.stop(ACTION_STOP_GRACE_MS);
        await callbacks.drain();
        await store.close();
      })()),
  };
}
