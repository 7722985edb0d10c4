import { startTestApp, type TestApp } from '../helper.js';
import { testEngineEnv } from './test-engine.js';

/** The in-process server of test/helper.ts, on the private test engine. */
export type TestServer = TestApp;

/**
 * A real Hoist server on a random port, a fresh data dir (or HOIST_DATA_DIR
 * from env; close() empties it), and the private test engine.
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  return startTestApp({
    DOCKER_HOST: testEngineEnv().dockerHost,
    HOIST_MONITOR_SECONDS: '1',
    HOIST_HEALTH_TIMEOUT_SECONDS: '20',
    ...env,
  });
}
