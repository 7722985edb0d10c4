/** What to tell the user when a registry refused a pull or a digest look-up. */
import type { RegistryCredentials } from './registry-auth.js';

const UNAUTHORIZED = /unauthori[sz]ed|authentication required|denied|forbidden|no basic auth/i;

/** What to do about a failed pull, when credentials may be why. */
export function credentialsHint(credentials: RegistryCredentials, message: string): string {
  if (credentials.note) return ` (${credentials.note}.)`;
  if (!credentials.auth && UNAUTHORIZED.test(message)) {
    return ` (Hoist sent no credentials for ${credentials.registry}: ${credentials.configPath} has none for it. Run \`docker login ${credentials.registry}\` so that file holds them, or point DOCKER_CONFIG at one that does.)`;
  }
  return '';
}

/** What to do about a digest look-up that failed with `message`. */
export function resolveHint(
  ref: string,
  credentials: RegistryCredentials,
  message: string,
): string {
  if (credentials.note) return `${credentials.note}.`;
  if (UNAUTHORIZED.test(message)) {
    return credentials.auth
      ? `The registry refused the credentials for ${credentials.registry} in ${credentials.configPath}: log in again (docker login ${credentials.registry}).`
      : `Hoist sent no credentials for ${credentials.registry} (${credentials.configPath} has none for it): if the registry needs them, run \`docker login ${credentials.registry}\` so that file holds them, or point DOCKER_CONFIG at one that does.`;
  }
  if (/manifest unknown|name unknown|manifest .*not found|repository .*not found/i.test(message)) {
    return `Check that ${ref} was pushed to the registry (that the tag exists) and that the name is spelled right.`;
  }
  if (/x509|certificate|tls|https/i.test(message) && !/dial tcp|no such host/i.test(message)) {
    return `Check the registry's TLS set-up: the engine must trust its certificate, or list it in insecure-registries.`;
  }
  return `Check that the engine can reach the registry ${credentials.registry} (its name, port and network).`;
}
