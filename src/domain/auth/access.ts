/**
 * Who may do what. A user has one role; an API token has scopes, never more
 * than its owner's role allows, checked again on every request so that a
 * demoted user's tokens lose what the role lost at once.
 */

export const ROLES = ['admin', 'operator', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/**
 * - read: services, actions, handlers and deliveries, never a secret;
 * - deploy: redeploy and scale;
 * - manage: handlers, registry endpoints and services (create, change, remove);
 * - admin: users and everyone's tokens. A token with admin may do everything.
 */
export const SCOPES = ['read', 'deploy', 'manage', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

const ROLE_SCOPES: Record<Role, readonly Scope[]> = {
  admin: SCOPES,
  operator: ['read', 'deploy', 'manage'],
  viewer: ['read'],
};

export function scopesOfRole(role: Role): readonly Scope[] {
  return ROLE_SCOPES[role];
}

/** The scopes a token may use now: those it was given that its owner's role still allows. */
export function effectiveScopes(tokenScopes: readonly Scope[], role: Role): Scope[] {
  const allowed = ROLE_SCOPES[role];
  return tokenScopes.filter((s) => allowed.includes(s));
}

export function allows(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function isScope(value: string): value is Scope {
  return (SCOPES as readonly string[]).includes(value);
}
