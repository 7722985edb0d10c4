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
});

export const CreateWebhookBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    operation: Type.Optional(
      Type.Literal('REDEPLOY', { description: 'SCALEUP arrives with Swarm support' }),
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
