/**
 * Registry credentials from the Docker config file, for the engine's
 * X-Registry-Auth header (pulls, digest look-ups, Swarm service updates).
 *
 * Read per call (the file is small), so a `docker login` on the Hoist host
 * applies without a restart. Only inline credentials are used: `auths[host]`
 * with `auth` (base64 user:password) or `username`/`password`, and
 * `identitytoken`. Credential helpers (`credsStore`, `credHelpers`) are not
 * run; when one holds a registry's credentials, `note` says so, for the error a
 * failed call gives.
 */
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HoistError } from '../../domain/errors.js';
import { HUB_HOST, canonicalName, parseImageReference } from '../../domain/image-reference.js';

/** What the engine's X-Registry-Auth header carries (base64url JSON; docker-modem encodes it). */
export interface RegistryAuthConfig {
  username?: string;
  password?: string;
  identitytoken?: string;
  serveraddress: string;
}

export interface RegistryCredentials {
  /** The registry host of the image: "docker.io" for Docker Hub names. */
  registry: string;
  /** The config file read (whether or not it exists). */
  configPath: string;
  /** null: send no header. */
  auth: RegistryAuthConfig | null;
  /** Why no credentials could be used although the file names the registry (credential helper). */
  note: string | null;
}

/** The key `docker login` writes for Docker Hub, and the server address the engine expects. */
const HUB_SERVER_ADDRESS = 'https://index.docker.io/v1/';

interface ConfigEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
  identitytoken?: unknown;
}

interface DockerConfigFile {
  auths?: Record<string, ConfigEntry> | null;
  credsStore?: unknown;
  credHelpers?: Record<string, unknown> | null;
}

/** configDir/config.json (config.ts reads DOCKER_CONFIG), or ~/.docker/config.json. */
function dockerConfigPath(configDir?: string): string {
  const dir = configDir ?? join(homedir(), '.docker');
  return join(dir, 'config.json');
}

/**
 * A config file key ("https://index.docker.io/v1/", "registry.example.com:5000") as a host,
 * named as `parseImageReference` names an image's registry ("docker.io" for Docker Hub).
 */
function keyHost(key: string): string {
  const host = key
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .split('/')[0]!;
  return canonicalName(host, '').host;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The credentials the Docker config file holds for the registry of `imageRef`. */
export async function registryCredentials(
  imageRef: string,
  configDir?: string,
): Promise<RegistryCredentials> {
  // The registry host the image pulls from: "docker.io" for Hub names.
  const registry = parseImageReference(imageRef).host;
  const configPath = dockerConfigPath(configDir);
  const none = { registry, configPath, auth: null, note: null };

  let raw: string;
  try {
    raw = await readFile(configPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return none;
    throw new HoistError(
      'engine_error',
      `Cannot read the Docker config file ${configPath} for registry credentials: ${(error as Error).message}`,
      { cause: error },
    );
  }
  let config: DockerConfigFile;
  try {
    config = (raw.trim() ? JSON.parse(raw) : {}) as DockerConfigFile;
    if (!config || typeof config !== 'object' || Array.isArray(config)) {
      throw new Error('not a JSON object');
    }
  } catch (error) {
    throw new HoistError(
      'engine_error',
      `The Docker config file ${configPath} is not valid JSON (${(error as Error).message}): fix or remove it so Hoist can read registry credentials from it.`,
      { cause: error },
    );
  }

  const serveraddress = registry === HUB_HOST ? HUB_SERVER_ADDRESS : registry;
  const entries = Object.entries(config.auths ?? {}).filter(([key]) => keyHost(key) === registry);
  for (const [key, entry] of entries) {
    if (!entry || typeof entry !== 'object') continue;
    let username = text(entry.username);
    let password = text(entry.password);
    const encoded = text(entry.auth);
    if (encoded) {
      const decoded = Buffer.from(encoded, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new HoistError(
          'engine_error',
          `The Docker config file ${configPath} has an "auth" for ${key} that is not base64 of user:password: log in again (docker login${registry === HUB_HOST ? '' : ` ${registry}`}).`,
        );
      }
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
    const identitytoken = text(entry.identitytoken);
    if (username || password || identitytoken) {
      const auth: RegistryAuthConfig = { serveraddress };
      if (username) auth.username = username;
      if (password) auth.password = password;
      if (identitytoken) auth.identitytoken = identitytoken;
      return { ...none, auth };
    }
  }

  const helper =
    Object.entries(config.credHelpers ?? {}).find(([key]) => keyHost(key) === registry)?.[1] ??
    (entries.length > 0 ? config.credsStore : undefined);
  if (typeof helper === 'string' && helper) {
    return {
      ...none,
      note: `${configPath} keeps the credentials for ${registry} in the credential helper "docker-credential-${helper}", and Hoist does not run credential helpers: give Hoist a config file with inline credentials for ${registry} (an "auths" entry with "auth"), for example by pointing DOCKER_CONFIG at a directory where \`docker login\` ran without a credsStore`,
    };
  }
  return none;
}
