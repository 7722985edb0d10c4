import { Type } from 'typebox';
import { ACTION_STATES } from '../../domain/actions/action-state.js';
import { Nullable } from './nullable.js';

export const ActionStateSchema = Type.Enum(ACTION_STATES);

export const Action = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  serviceId: Type.String({ format: 'uuid' }),
  type: Type.String({ description: 'redeploy or scale' }),
  state: ActionStateSchema,
  trigger: Type.Object({
    kind: Type.String({ description: 'webhook, registry or api' }),
    webhookId: Type.Optional(Type.String()),
    webhookName: Type.Optional(Type.String()),
    tokenName: Type.Optional(Type.String()),
    username: Type.Optional(Type.String({ description: "The token's owner (api triggers)" })),
    registryId: Type.Optional(Type.String()),
    registryName: Type.Optional(Type.String()),
  }),
  options: Type.Object({
    reuseVolumes: Type.Optional(Type.Boolean()),
    replicas: Type.Optional(Type.Integer({ description: 'scale: the replica count asked for' })),
    add: Type.Optional(Type.Integer({ description: 'scale: replicas added by a SCALEUP call' })),
  }),
  imageRef: Nullable(Type.String()),
  digestBefore: Nullable(Type.String()),
  digestAfter: Nullable(Type.String()),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
  endedAt: Nullable(Type.String()),
  reason: Nullable(Type.String()),
  attempts: Type.Integer(),
});

export const ActionWithLog = Type.Object({
  ...Action.properties,
  log: Type.Array(Type.Object({ seq: Type.Integer(), at: Type.String(), message: Type.String() })),
});

export const ActionRef = Type.Object({
  id: Type.String({ format: 'uuid' }),
  state: ActionStateSchema,
  url: Type.String(),
});

/** 200 from a handler URL: a call that did not redeploy, and why. */
export const CallAnswer = Type.Object({
  ignored: Type.Optional(Type.Boolean()),
  duplicate: Type.Optional(Type.Boolean()),
  reason: Type.Optional(Type.String({ description: 'Why the call was ignored' })),
  action: Type.Optional(Nullable(ActionRef)),
});

export const Enqueued = Type.Object({
  action: ActionRef,
  coalesced: Type.Boolean({ description: 'true when the call joined a redeploy already waiting' }),
});
