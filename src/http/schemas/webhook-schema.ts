import { MAX_RATE_LIMIT, SIGNATURE_SCHEMES } from '../../domain/webhooks/webhook.js';
import { Type } from 'typebox';

// An enum, not a union of literals: a wrong value's 400 then lists the allowed ones.
const signatureScheme = (description: string) => Type.Enum(SIGNATURE_SCHEMES, { description });

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
  signed: Type.Boolean({ description: 'Calls must carry a valid signature' }),
  signatureScheme: signatureScheme(
    "The signatures a signed handler accepts: any (Standard Webhooks or GitHub's X-Hub-Signature-256) or standard-webhooks only. any on unsigned handlers",
  ),
  passBody: Type.Boolean({
    description: "The call's body reaches the new containers as HOIST_TRIGGER_BODY",
  }),
  rateLimitPerMinute: Type.Union([Type.Integer(), Type.Null()], {
    description: 'At most this many calls a minute; more get 429 with Retry-After. null: no limit',
  }),
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
    signed: Type.Optional(
      Type.Boolean({
        description:
          'Require signed calls (Standard Webhooks webhook-signature, or GitHub X-Hub-Signature-256); the secret is in the answer, once',
      }),
    ),
    signatureScheme: Type.Optional(
      signatureScheme(
        'With signed: any (default) accepts Standard Webhooks and GitHub X-Hub-Signature-256 signatures; standard-webhooks accepts only Standard Webhooks ones, whose signed timestamp stops replays (a GitHub-signed call can be sent again at any time)',
      ),
    ),
    passBody: Type.Optional(
      Type.Boolean({
        description:
          "Give the call's body (at most 64 KiB) to the new containers as HOIST_TRIGGER_BODY",
      }),
    ),
    rateLimitPerMinute: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_RATE_LIMIT,
        description:
          'At most this many calls a minute (a burst of that many at once, then one every 60/N s); more get 429 with Retry-After and are recorded as rejected. Default: no limit (coalescing protects the engine)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const CreatedWebhook = Type.Object({
  webhook: Webhook,
  signingSecret: Type.Optional(
    Type.String({
      description: 'A signed handler: the signing secret. Shown only in this answer.',
    }),
  ),
  url: Type.String({ description: 'The secret URL. Shown only in this answer: copy it now.' }),
});

export const WebhookParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  wid: Type.String({ format: 'uuid' }),
});
