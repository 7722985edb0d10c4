import { Type } from 'typebox';
import { Nullable } from './nullable.js';

/** An API token as listed: never the token itself, which exists in clear only when created. */
export const ApiToken = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  tokenPrefix: Type.String({ description: 'The first characters of the token, to recognise it' }),
  createdAt: Type.String(),
  lastUsedAt: Nullable(
    Type.String({ description: 'Last authenticated request, to the minute; null if never used' }),
  ),
});
