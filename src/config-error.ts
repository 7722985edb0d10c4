/** A setting in the environment is wrong; the message names it and says what it should be. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
