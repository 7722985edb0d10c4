/**
 * Where the CLI finds its server: HOIST_URL and HOIST_TOKEN when set, else
 * the file `hoist login` wrote ($XDG_CONFIG_HOME/hoist/config.json, or
 * ~/.config/hoist/config.json), else http://localhost:8080 (HOIST_PORT; https
 * when HOIST_TLS_CERT_FILE is set, as the server beside this CLI then speaks
 * only HTTPS) with the initial admin token of the server whose HOIST_DATA_DIR
 * is set: in Hoist's container, `docker exec hoist hoist service ls` needs no
 * login.
 * The file holds a secret: it is written 0600 in a 0700 directory, through a
 * temporary file renamed into place so a reader never sees half of it.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { ApiClient } from './api-client.js';
import { CliError } from './cli-error.js';

const DEFAULT_URL = 'http://localhost:8080';

export interface SavedLogin {
  url: string;
  token: string;
}

export interface Connection {
  url: string;
  token: string | null;
  /** Where each value came from, for messages. */
  urlFrom: 'HOIST_URL' | 'config' | 'default';
  tokenFrom: 'HOIST_TOKEN' | 'config' | 'data dir' | null;
}

type Env = Record<string, string | undefined>;

export function configPath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME?.trim() || path.join(env.HOME?.trim() || homedir(), '.config');
  return path.join(base, 'hoist', 'config.json');
}

async function readSavedLogin(file = configPath()): Promise<SavedLogin | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as Partial<SavedLogin>;
    if (typeof parsed.url !== 'string' || typeof parsed.token !== 'string') throw new Error();
    return { url: parsed.url, token: parsed.token };
  } catch {
    throw new CliError(`${file} is not a login file Hoist wrote: run \`hoist login URL\` again.`);
  }
}

export async function saveLogin(login: SavedLogin, file = configPath()): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(login, null, 2) + '\n', { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CliError(`cannot write ${file}: ${(error as Error).message}`);
  }
}

/** Removes the login file; false when there was none. */
export async function removeLogin(file = configPath()): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new CliError(`cannot remove ${file}: ${(error as Error).message}`);
  }
}

async function resolveConnection(env: Env = process.env): Promise<Connection> {
  const envUrl = env.HOIST_URL?.trim() ? normalizeUrl(env.HOIST_URL.trim()) : null;
  const envToken = env.HOIST_TOKEN?.trim() || null;
  const saved = envUrl && envToken ? null : await readSavedLogin(configPath(env));
  const url = envUrl ?? (saved ? normalizeUrl(saved.url) : defaultUrl(env));
  // A saved token goes only to the server it was saved for, never to another HOIST_URL.
  const savedToken = saved && normalizeUrl(saved.url) === url ? saved.token : null;
  // The local server's own token: only for the default URL, the server beside this CLI.
  const dataDirToken =
    envToken || savedToken || envUrl || saved ? null : await readDataDirToken(env);
  return {
    url,
    token: envToken ?? savedToken ?? dataDirToken,
    urlFrom: envUrl ? 'HOIST_URL' : saved ? 'config' : 'default',
    tokenFrom: envToken ? 'HOIST_TOKEN' : savedToken ? 'config' : dataDirToken ? 'data dir' : null,
  };
}

/** The server beside this CLI, read from the server's own settings. */
function defaultUrl(env: Env): string {
  const port = env.HOIST_PORT?.trim();
  if (!env.HOIST_TLS_CERT_FILE?.trim()) return port ? `http://localhost:${port}` : DEFAULT_URL;
  return `https://localhost:${port || '8080'}`;
}

/** `<HOIST_DATA_DIR>/initial-admin-token` when HOIST_DATA_DIR is set and the file readable. */
async function readDataDirToken(env: Env): Promise<string | null> {
  const dir = env.HOIST_DATA_DIR?.trim();
  if (!dir) return null;
  try {
    return (await readFile(path.join(dir, 'initial-admin-token'), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/** An API client for the configured server; fails, saying how to log in, without a token. */
export async function connect(env: Env = process.env): Promise<ApiClient> {
  const connection = await resolveConnection(env);
  if (!connection.token) {
    throw new CliError(
      `no API token for ${connection.url}: run \`hoist login URL\` or set HOIST_TOKEN (on first start the server wrote one to <data dir>/initial-admin-token).`,
    );
  }
  if (connection.urlFrom === 'default' && connection.url.startsWith('https:')) {
    // The server's certificate names its public host, not localhost, so it
    // cannot pass the check here. The implicit default is loopback, the
    // server in this container (or on this host), and nothing else: this
    // process talks to no other server, so it trusts that one. Node warns.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  }
  return new ApiClient(connection.url, connection.token);
}

/** "hoist.example.com:8080/" -> "http://hoist.example.com:8080"; refuses what is not http(s). */
export function normalizeUrl(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new CliError(`"${raw}" is not a URL; use one like http://localhost:8080.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`"${raw}" must start with http:// or https://.`);
  }
  if (url.search || url.hash) {
    throw new CliError(`"${raw}" must be the server's base URL, without ?query or #fragment.`);
  }
  return url.toString().replace(/\/+$/, '');
}
