import { Type } from 'typebox';
import { Nullable } from './nullable.js';

export const Delivery = Type.Object({
  id: Type.String({ format: 'uuid' }),
  receivedAt: Type.String(),
  remoteAddress: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  contentType: Nullable(Type.String()),
  payloadKind: Type.String({
    description:
      'dockerhub, registry, github, or for plain triggers: empty, json, form, text, other',
  }),
  pushed: Nullable(Type.String({ description: 'host/path:tag the payload reported pushed' })),
  digest: Nullable(Type.String()),
  outcome: Type.String({ description: 'accepted, coalesced, ignored or rejected' }),
  reason: Nullable(Type.String({ description: 'Why it was ignored or rejected' })),
  actionId: Nullable(Type.String()),
  callbackResult: Nullable(
    Type.String({ description: 'What came of the Docker Hub callback, once the action ended' }),
  ),
});

export const Registry = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  tokenPrefix: Type.String(),
  createdAt: Type.String(),
  revokedAt: Nullable(Type.String()),
});

export const RegistryCall = Type.Object({
  id: Type.String({ format: 'uuid' }),
  receivedAt: Type.String(),
  remoteAddress: Nullable(Type.String()),
  pushed: Type.Array(Type.String()),
  outcome: Type.String({ description: 'accepted, ignored or duplicate' }),
  reason: Nullable(Type.String()),
  actionIds: Type.Array(Type.String()),
});
