/**
 * An error meant for the person at the terminal: main prints its message on
 * stderr, prefixed with "hoist: ", and exits with its code. Anything else that
 * escapes a command is a bug and is printed with its stack.
 */
export class CliError extends Error {
  override name = 'CliError';

  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * The API answered with an error body ({"error": {"code", "message"}}); a 429
 * also carries its Retry-After, in seconds, when the server sent one.
 */
export class ApiError extends CliError {
  override name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
