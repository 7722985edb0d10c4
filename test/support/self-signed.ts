/**
 * Self-signed certificates for tests, made by openssl (a Debian package that
 * .ci/run installs): an EC P-256 key and a certificate for 127.0.0.1 and
 * localhost, written to `<dir>/<name>.crt` and `<dir>/<name>.key`.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function makeSelfSigned(
  dir: string,
  name: string,
  opts: { serial?: number; days?: number } = {},
): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  try {
    await run('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(opts.days ?? 2),
      '-subj',
      `/CN=${name}`,
      ...(opts.serial === undefined ? [] : ['-set_serial', String(opts.serial)]),
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? 'openssl is not installed: TLS tests need it to make a self-signed certificate (apt-get install openssl).'
        : `openssl could not make a certificate: ${(error as Error).message}`,
    );
  }
  return { cert, key };
}
