import type { Role } from './access.js';

export interface User {
  id: string;
  username: string;
  role: Role;
  createdAt: string;
  /** When the password was last set; null for an account that has none yet. */
  passwordSetAt: string | null;
}
