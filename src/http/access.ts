/**
 * Every /api/v1 route says who may call it (`config: { access }`), and a route
 * registered without it stops the server from starting: a new route cannot
 * slip in open. The rule is checked before the body is validated or anything
 * is looked up, so an unauthenticated caller learns nothing of what exists.
 */
import type { FastifyRequest, RouteOptions } from 'fastify';
import { allows, type Scope } from '../domain/auth/access.js';
import type { ApiTokens } from '../domain/auth/api-tokens.js';
import type { Principal } from '../domain/auth/principal.js';
import { HoistError } from '../domain/errors.js';

/** A scope the caller's token must have; any valid token (`signed-in`); or none (`public`). */
export type Access = Scope | 'signed-in' | 'public';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    /** Who sends the request; set on every /api/v1 route but the public ones. */
    principal: Principal;
  }
}

/** For onRoute: refuses a route that declares no access rule. */
export function requireAccessRule(route: RouteOptions): void {
  // HEAD routes are made by Fastify from GET ones and share their config.
  if (route.config?.access === undefined) {
    throw new Error(
      `${String(route.method)} ${route.url} declares no access rule: add config: { access: ... } (http/access.ts)`,
    );
  }
}

/** For onRequest: authenticates the caller and checks the route's rule. */
export function checkAccess(tokens: ApiTokens) {
  return async (request: FastifyRequest): Promise<void> => {
    const access = request.routeOptions.config.access;
    if (access === 'public') return;
    request.principal = await tokens.authenticate(request.headers.authorization);
    if (access === undefined || access === 'signed-in') return;
    if (!allows(request.principal.scopes, access)) {
      throw new HoistError(
        'forbidden',
        `This needs a token with the ${access} scope; this one has ${request.principal.scopes.join(', ') || 'none'} (its owner ${request.principal.user.username} is ${withArticle(request.principal.user.role)}). Ask an admin, or use another token.`,
      );
    }
  };
}

function withArticle(role: string): string {
  return `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
}
