/**
 * Settings that hold a secret can come from a file instead: NAME_FILE names
 * the file and NAME takes its content, minus one trailing newline (what
 * `echo` and most editors add). This is how Docker and Swarm secrets reach a
 * container (/run/secrets/NAME), and it keeps the secret out of
 * `docker inspect` and the process environment of children.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './config-error.js';

/**
 * Every setting that holds a secret; a new one is added here. HOIST_DATABASE_URL
 * can carry a database password; HOIST_METRICS_TOKEN guards /metrics.
 */
export const SECRET_SETTINGS: readonly string[] = ['HOIST_DATABASE_URL', 'HOIST_METRICS_TOKEN'];

type Env = Record<string, string | undefined>;

/** The environment with each NAME_FILE of a secret setting read into NAME; errors never quote the secret. */
export function readSecretFiles(env: Env): Env {
  const resolved = { ...env };
  for (const name of SECRET_SETTINGS) {
    const fileName = `${name}_FILE`;
    const file = env[fileName]?.trim();
    if (!file) continue;
    if (env[name]?.trim()) {
      throw new ConfigError(
        `${name} and ${fileName} are both set; set only one (${fileName} to read it from a file).`,
      );
    }
    let content: string;
    try {
      content = readFileSync(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new ConfigError(
        `${fileName} is "${file}", which Hoist cannot read (${code}); mount the file there or fix the path.`,
      );
    }
    const value = content.replace(/\r?\n$/, '');
    if (value === '') {
      throw new ConfigError(`${fileName} is "${file}", which is empty; put the value in it.`);
    }
    resolved[name] = value;
  }
  return resolved;
}
