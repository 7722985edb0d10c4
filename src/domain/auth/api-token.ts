import type { Scope } from './access.js';

export interface ApiToken {
  id: string;
  name: string;
  /** The user the token acts for. */
  userId: string;
  scopes: Scope[];
  tokenPrefix: string;
  createdAt: string;
  /** After this the token is refused; null for a token that does not expire. */
  expiresAt: string | null;
  lastUsedAt: string | null;
}
