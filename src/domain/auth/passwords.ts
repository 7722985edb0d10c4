/**
 * Password hashes: scrypt from Node's own crypto, memory-hard, at one of the
 * settings OWASP's password storage cheat sheet gives as a minimum (N=2^15,
 * r=8, p=3: 32 MiB, about 0.3 s here). Built in, so no native package (argon2)
 * has to build on every machine and image Hoist runs on. The parameters are stored with each hash, so they can be raised
 * later without locking anyone out.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS = { N: 2 ** 15, r: 8, p: 3 } as const;
const KEY_LENGTH = 32;

/** Passwords shorter than this are refused: the only rule, as NIST SP 800-63B asks. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longer ones are refused before hashing: hashing megabytes is a cheap denial of service. */
export const MAX_PASSWORD_LENGTH = 1024;

function derive(password: string, salt: Buffer, params: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxmem: Node's default (32 MiB) is exactly what N=2^15, r=8 needs, and scrypt wants a margin.
    scrypt(password, salt, KEY_LENGTH, { ...params, maxmem: 256 * 1024 * 1024 }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

/**
 * Whether password matches the stored hash. With a null hash (no such user, or
 * one without a password) a hash is still computed, so an unknown username
 * takes as long to refuse as a wrong password.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split('$') ?? [];
  const [kind, n, r, p, salt, key] = parts;
  if (parts.length !== 6 || kind !== 'scrypt' || !salt || !key) {
    await derive(password, randomBytes(16), PARAMS);
    return false;
  }
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A password people need not type often: 24 characters of base64url, 144 bits. */
export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}
