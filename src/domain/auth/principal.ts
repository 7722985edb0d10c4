import type { Scope } from './access.js';
import type { ApiToken } from './api-token.js';
import type { User } from './user.js';

/** Who sends a request: a user, by one of their tokens, with what that token may do now. */
export interface Principal {
  user: User;
  token: ApiToken;
  scopes: Scope[];
}
