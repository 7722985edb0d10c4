import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const ActionStateSchema = Type.Union([
  Type.Literal('Pending'),
  Type.Literal('In progress'),
  Type.Literal('Success'),
  Type.Literal('Failed'),
  Type.Literal('Canceled'),
]);

export const Action = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  serviceId: Type.String({ format: 'uuid' }),
  type: Type.String(),
  state: ActionStateSchema,
  trigger: Type.Object({
    kind: Type.String({ description: 'webhook or api' }),
    webhookId: Type.Optional(Type.String()),
    webhookName: Type.Optional(Type.String()),
    tokenName: Type.Optional(Type.String()),
  }),
  options: Type.Object({ reuseVolumes: Type.Boolean() }),
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

export const Enqueued = Type.Object({
  action: ActionRef,
  coalesced: Type.Boolean({ description: 'true when the call joined a redeploy already waiting' }),
});
