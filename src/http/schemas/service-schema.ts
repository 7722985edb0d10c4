import { Type } from 'typebox';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const Container = Type.Object({
  id: Type.String(),
  name: Type.String(),
  state: Type.String({ description: "Docker's state: running, exited, created, ..." }),
  running: Type.Boolean(),
  health: Type.String({ description: 'none, starting, healthy or unhealthy' }),
  imageRef: Type.String(),
  imageId: Type.String(),
  digest: Nullable(Type.String()),
  createdAt: Type.String(),
  startedAt: Nullable(Type.String()),
});

export const Service = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Stable across redeploys and restarts' }),
  engineId: Type.String(),
  kind: Type.String({ description: 'compose, hoist or container' }),
  name: Type.String(),
  imageRef: Type.String({ description: 'The image reference its containers run' }),
  digest: Nullable(Type.String({ description: 'The repo digest its containers run' })),
  present: Type.Boolean({ description: 'false when the engine has no containers for it now' }),
  containers: Type.Array(Container),
});

export const ServiceParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
