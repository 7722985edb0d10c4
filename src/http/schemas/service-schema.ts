import { Type } from 'typebox';
import { Nullable } from './nullable.js';

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
  publishesPorts: Type.Boolean(),
});

export const Service = Type.Object({
  id: Type.String({ format: 'uuid', description: 'Stable across redeploys and restarts' }),
  engineId: Type.String(),
  kind: Type.String({ description: 'swarm, compose, hoist or container' }),
  name: Type.String(),
  imageRef: Type.String({ description: 'The image reference its containers run' }),
  digest: Nullable(Type.String({ description: 'The repo digest its containers run' })),
  present: Type.Boolean({ description: 'false when the engine has no containers for it now' }),
  autoredeploy: Type.Boolean({
    description: 'Redeployed when a registry endpoint reports a push of its repo:tag',
  }),
  self: Type.Boolean({
    description:
      'Hoist itself runs in it: handlers, registry pushes and the API leave it alone unless allowSelfRedeploy',
  }),
  allowSelfRedeploy: Type.Boolean({
    description: 'Hoist itself may redeploy, scale or remove it (only matters when self is true)',
  }),
  createdByHoist: Type.Boolean({
    description: 'Only services Hoist created (label io.hoist.service) can be deleted through it',
  }),
  containers: Type.Array(Container, { description: 'Standalone kinds; empty for a Swarm service' }),
  swarm: Nullable(
    Type.Object({
      desiredReplicas: Nullable(Type.Integer({ description: 'null for a global service' })),
      runningTasks: Type.Integer(),
      tasks: Type.Array(
        Type.Object({
          id: Type.String(),
          slot: Nullable(Type.Integer()),
          nodeId: Type.String(),
          node: Nullable(Type.String()),
          state: Type.String(),
          desiredState: Type.String(),
          error: Nullable(Type.String()),
          message: Nullable(Type.String()),
          imageRef: Type.String(),
          containerId: Nullable(Type.String()),
          updatedAt: Type.String(),
        }),
      ),
    }),
  ),
});

export const ServiceParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const CreateServiceBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 63 }),
    image: Type.String({ minLength: 1, description: 'e.g. registry.example.com/app:latest' }),
    replicas: Type.Optional(Type.Integer({ minimum: 0, maximum: 100, default: 1 })),
    env: Type.Optional(Type.Record(Type.String(), Type.String())),
    ports: Type.Optional(
      Type.Array(
        Type.Object(
          {
            published: Type.Integer({ minimum: 1, maximum: 65535 }),
            target: Type.Integer({ minimum: 1, maximum: 65535 }),
            protocol: Type.Optional(Type.Union([Type.Literal('tcp'), Type.Literal('udp')])),
            mode: Type.Optional(
              Type.Union([Type.Literal('ingress'), Type.Literal('host')], {
                description: 'Swarm only (default ingress)',
              }),
            ),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    volumes: Type.Optional(
      Type.Array(
        Type.Object(
          {
            source: Type.String({
              minLength: 1,
              description: 'A volume name, or an absolute host path',
            }),
            target: Type.String({ minLength: 1 }),
            readOnly: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    networks: Type.Optional(Type.Array(Type.String({ minLength: 1 }))),
    restartPolicy: Type.Optional(
      Type.Union([
        Type.Literal('no'),
        Type.Literal('always'),
        Type.Literal('unless-stopped'),
        Type.Literal('on-failure'),
      ]),
    ),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  },
  { additionalProperties: false },
);

export const ServiceSettingsBody = Type.Object(
  {
    autoredeploy: Type.Optional(Type.Boolean()),
    allowSelfRedeploy: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ScaleBody = Type.Object(
  { replicas: Type.Integer({ minimum: 0, maximum: 100 }) },
  { additionalProperties: false },
);
