import type { Clock } from '../clock.js';
import type { Engine } from '../ports/engine.js';

export interface ReadinessTiming {
  /** How long a container without a HEALTHCHECK must stay running. */
  monitorMs: number;
  /** How long a container with a HEALTHCHECK may take to become healthy. */
  healthTimeoutMs: number;
  pollMs: number;
}

/** A new container that did not come up: the caller rolls back. */
export class RolloutFailure extends Error {}

/**
 * Waits until a just-started container is healthy (its HEALTHCHECK) or, with
 * no HEALTHCHECK, has stayed running for the monitor period. Throws
 * RolloutFailure with the reason, and the container's last output, otherwise.
 */
export async function waitUntilReady(
  deps: { engine: Engine; clock: Clock; timing: ReadinessTiming },
  id: string,
  name: string,
  log: (message: string) => Promise<void>,
): Promise<void> {
  const { engine, clock, timing } = deps;
  const started = clock.now().getTime();
  for (;;) {
    const elapsed = clock.now().getTime() - started;
    const container = await engine.inspectContainer(id);
    if (!container) throw new RolloutFailure(`the new container ${name} disappeared`);
    // Docker reports a container in a restart loop as running: it is not.
    if (container.state === 'restarting') {
      throw new RolloutFailure(
        `the new container ${name} keeps restarting (last exit code ${container.exitCode ?? 'unknown'})` +
          (await lastWords(engine, id)),
      );
    }
    if (!container.running) {
      throw new RolloutFailure(
        `the new container ${name} exited with code ${container.exitCode ?? 'unknown'}` +
          (await lastWords(engine, id)),
      );
    }
    if (container.health === 'healthy') {
      await log(`Health check passed for ${name}`);
      return;
    }
    if (container.health === 'unhealthy') {
      throw new RolloutFailure(
        `the new container ${name} failed its health check` + (await lastWords(engine, id)),
      );
    }
    if (container.health === 'none' && elapsed >= timing.monitorMs) {
      await log(`${name} stayed running for ${Math.round(timing.monitorMs / 1000)} s`);
      return;
    }
    if (container.health === 'starting' && elapsed >= timing.healthTimeoutMs) {
      throw new RolloutFailure(
        `the new container ${name} was not healthy after ${Math.round(timing.healthTimeoutMs / 1000)} s`,
      );
    }
    await clock.sleep(timing.pollMs);
  }
}

async function lastWords(engine: Engine, id: string): Promise<string> {
  const tail = (await engine.logsTail(id, 5).catch(() => '')).trim();
  if (!tail) return '';
  const short = tail.length > 500 ? `...${tail.slice(-500)}` : tail;
  return `; its last output: ${short}`;
}

/** Failure reasons are written mid-sentence ("the new container ..."); an action's reason starts one. */
export function asSentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
