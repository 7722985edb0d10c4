import { EngineUnavailableError, isHoistError } from '../errors.js';
import type { Engine, EngineMode } from '../ports/engine.js';

export interface EngineStatus {
  id: string;
  host: string;
  reachable: boolean;
  mode: EngineMode | null;
  version: string | null;
  apiVersion: string | null;
  /** Why it is unreachable, and what to do. */
  error: string | null;
}

/** Reports whether the engine answers; never throws for an engine that is down. */
export async function readEngineStatus(
  id: string,
  host: string,
  engine: Engine,
): Promise<EngineStatus> {
  try {
    const info = await engine.info();
    return {
      id,
      host,
      reachable: true,
      mode: info.mode,
      version: info.version,
      apiVersion: info.apiVersion,
      error: null,
    };
  } catch (error) {
    if (!(error instanceof EngineUnavailableError) && !isHoistError(error)) throw error;
    return {
      id,
      host,
      reachable: false,
      mode: null,
      version: null,
      apiVersion: null,
      error: error.message,
    };
  }
}
