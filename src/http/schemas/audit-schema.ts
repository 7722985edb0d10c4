import { Type } from 'typebox';
import { Nullable } from './nullable.js';

export const AuditEvent = Type.Object({
  id: Type.String(),
  at: Type.String(),
  actor: Type.String({
    description: 'A username, "handler <name>" or "registry endpoint <name>"',
  }),
  actorKind: Type.String({ description: 'user, handler, registry or hoist' }),
  tokenName: Nullable(Type.String({ description: 'The API token the user sent' })),
  address: Nullable(Type.String({ description: "The client's address" })),
  action: Type.String({
    description:
      'e.g. handler.created, handler.revoked, service.redeploy_requested, user.changed, sign_in, sign_in.failed',
  }),
  objectKind: Nullable(Type.String({ description: 'service, handler, registry, user or token' })),
  objectId: Nullable(Type.String()),
  objectName: Nullable(Type.String()),
  serviceId: Nullable(
    Type.String({ description: "The service the event concerns (itself, or a handler's)" }),
  ),
  detail: Nullable(Type.String()),
});
