import { Type } from 'typebox';

export const Webhook = Type.Object({
  id: Type.String({ format: 'uuid' }),
  serviceId: Type.String({ format: 'uuid' }),
  name: Type.String(),
  operation: Type.Union([Type.Literal('REDEPLOY'), Type.Literal('SCALEUP')]),
  tokenPrefix: Type.String({ description: 'The first characters of the token, to recognize it' }),
  createdAt: Type.String(),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
  lastCalledAt: Type.Union([Type.String(), Type.Null()]),
  callCount: Type.Integer(),
  maxScale: Type.Integer({ description: 'SCALEUP: the largest N of POST /hooks/{token}/N' }),
});

export const CreateWebhookBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    operation: Type.Optional(
      Type.Union([Type.Literal('REDEPLOY'), Type.Literal('SCALEUP')], {
        description: 'REDEPLOY (default) pulls and replaces; SCALEUP adds replicas',
      }),
    ),
    maxScale: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        description: 'SCALEUP: the largest N a call may add (default 10)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CreatedWebhook = Type.Object({
  webhook: Webhook,
  url: Type.String({ description: 'The secret URL. Shown only in this answer: copy it now.' }),
});

export const WebhookParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  wid: Type.String({ format: 'uuid' }),
});
