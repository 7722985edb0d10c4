/**
 * Every failure a user can cause or see has a stable code. The HTTP layer maps
 * codes to statuses in one place; messages say what was wrong and what to do.
 */
export type ErrorCode =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'username_taken'
  | 'last_admin'
  | 'signature_invalid'
  | 'not_found'
  | 'service_not_found'
  | 'service_exists'
  | 'service_not_owned'
  | 'service_busy'
  | 'service_is_hoist'
  | 'webhook_not_found'
  | 'webhook_name_taken'
  | 'action_not_found'
  | 'engine_unavailable'
  | 'engine_error'
  | 'image_not_redeployable'
  | 'payload_too_large'
  | 'rate_limited'
  | 'store_unavailable'
  | 'internal';

export class HoistError extends Error {
  readonly code: ErrorCode;
  /** When a retry may succeed, in seconds: the HTTP layer sends it as Retry-After. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(message, options);
    this.name = 'HoistError';
    this.code = code;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** The engine could not be reached at all (daemon down, socket missing). Actions wait and retry. */
export class EngineUnavailableError extends HoistError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('engine_unavailable', message, options);
    this.name = 'EngineUnavailableError';
  }
}

/** Too many calls: answered 429 with Retry-After. */
export class RateLimitedError extends HoistError {
  declare readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super('rate_limited', message, { retryAfterSeconds });
    this.name = 'RateLimitedError';
  }
}

export function isHoistError(error: unknown): error is HoistError {
  return error instanceof HoistError;
}
