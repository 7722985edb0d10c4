import { createHash, randomBytes } from 'node:crypto';

/** 256 random bits, base64url: safe in a URL path and in an Authorization header. */
export function generateSecretToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Secrets are stored and looked up only by this hash (hex SHA-256). */
export function hashSecretToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Enough of a token to recognize it in a list, far too little to guess the rest. */
export function tokenPrefix(token: string, length = 6): string {
  return token.slice(0, length);
}
