import { Type } from 'typebox';
import { SCOPES } from '../../domain/auth/access.js';
import { MAX_TOKEN_DAYS } from '../../domain/auth/api-tokens.js';
import { Nullable } from './nullable.js';

export const ScopeSchema = Type.Union(
  [
    Type.Literal(SCOPES[0]),
    Type.Literal(SCOPES[1]),
    Type.Literal(SCOPES[2]),
    Type.Literal(SCOPES[3]),
  ],
  { description: 'read, deploy (redeploy, scale), manage (handlers, registries, services), admin' },
);

/** An API token as listed: never the token itself, which exists in clear only when created. */
export const ApiToken = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  userId: Type.String({ format: 'uuid', description: 'The user the token acts for' }),
  scopes: Type.Array(ScopeSchema),
  tokenPrefix: Type.String({ description: 'The first characters of the token, to recognise it' }),
  createdAt: Type.String(),
  expiresAt: Nullable(Type.String({ description: 'Refused from then on; null: until revoked' })),
  lastUsedAt: Nullable(
    Type.String({ description: 'Last authenticated request, to the minute; null if never used' }),
  ),
});

export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    scopes: Type.Optional(
      Type.Array(ScopeSchema, {
        minItems: 1,
        description: "Default: every scope the owner's role allows",
      }),
    ),
    expiresInDays: Type.Optional(
      Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS, description: 'Default: never' }),
    ),
  },
  { additionalProperties: false },
);

export const CreatedToken = Type.Object({
  apiToken: ApiToken,
  token: Type.String({ description: 'The token itself, shown only this once' }),
});
