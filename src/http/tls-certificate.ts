/**
 * HTTPS without a proxy: the certificate and key come from two PEM files,
 * and a renewed pair is picked up without a restart, on SIGHUP or when
 * either file changes. A pair that does not load (unreadable, not PEM, a key
 * of another certificate) is refused by name: at start as a ConfigError, on a
 * reload as a logged error while the server keeps serving the pair it has.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { createSecureContext, type Server as TlsServer } from 'node:tls';
import type { TlsFiles } from '../config.js';
import { ConfigError } from '../config-error.js';
import type { Logger } from '../domain/logger.js';

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/** How often the files are looked at (a stat each): renewals are rare, a few seconds late is fine. */
const WATCH_INTERVAL_MS = 2000;
/** Tools write the certificate and the key one after the other: wait for both before loading. */
const SETTLE_MS = 500;

/** Reads and checks the pair; throws a ConfigError that names the file at fault. */
export function readTlsPair(files: TlsFiles): TlsPair {
  const cert = readPem('HOIST_TLS_CERT_FILE', files.certFile);
  const key = readPem('HOIST_TLS_KEY_FILE', files.keyFile);
  try {
    new X509Certificate(cert);
  } catch (error) {
    throw new ConfigError(
      `HOIST_TLS_CERT_FILE (${files.certFile}) holds no PEM certificate: ${(error as Error).message}.`,
    );
  }
  try {
    createPrivateKey(key);
  } catch (error) {
    throw new ConfigError(
      `HOIST_TLS_KEY_FILE (${files.keyFile}) holds no PEM private key (an encrypted key is not supported): ${(error as Error).message}.`,
    );
  }
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError(
      `HOIST_TLS_KEY_FILE (${files.keyFile}) is not the key of the certificate in HOIST_TLS_CERT_FILE (${files.certFile}): ${(error as Error).message}.`,
    );
  }
  return { cert, key };
}

/**
 * Keeps `server` on the newest good pair in `files`. The files are watched by
 * polling their stat, not with inotify: renewal tools replace files by rename
 * or swap a symlink (certbot's live/, Kubernetes secrets), which an inotify
 * watch on the old file never sees. Returns a function that stops watching.
 */
export function watchTlsPair(server: TlsServer, files: TlsFiles, logger: Logger): () => void {
  const reload = (why: string) => {
    try {
      const pair = readTlsPair(files);
      server.setSecureContext(pair);
      const certificate = new X509Certificate(pair.cert);
      logger.info(
        {
          why,
          subject: certificate.subject,
          serialNumber: certificate.serialNumber,
          validTo: certificate.validTo,
        },
        'TLS certificate loaded',
      );
    } catch (error) {
      logger.error(
        { why, reason: (error as Error).message },
        'TLS certificate not reloaded; still serving the previous one',
      );
    }
  };
  let settling: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(settling);
    settling = setTimeout(() => reload('file changed'), SETTLE_MS).unref();
  };
  const hangUp = () => reload('SIGHUP');
  process.on('SIGHUP', hangUp);
  for (const file of [files.certFile, files.keyFile]) {
    watchFile(file, { interval: WATCH_INTERVAL_MS, persistent: false }, changed);
  }
  return () => {
    clearTimeout(settling);
    process.off('SIGHUP', hangUp);
    for (const file of [files.certFile, files.keyFile]) unwatchFile(file, changed);
  };
}

function readPem(name: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(
      `${name} (${file}) cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the path and that Hoist's user may read it.`,
    );
  }
}
