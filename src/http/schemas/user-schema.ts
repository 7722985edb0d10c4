import { Type } from 'typebox';
import { ROLES } from '../../domain/auth/access.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../domain/auth/passwords.js';
import { Nullable } from './nullable.js';
import { ScopeSchema } from './api-token-schema.js';

export const RoleSchema = Type.Union(
  [Type.Literal(ROLES[0]), Type.Literal(ROLES[1]), Type.Literal(ROLES[2])],
  { description: 'admin: everything; operator: services, handlers, redeploys; viewer: read only' },
);

const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: MAX_PASSWORD_LENGTH });

export const User = Type.Object({
  id: Type.String({ format: 'uuid' }),
  username: Type.String(),
  role: RoleSchema,
  createdAt: Type.String(),
  passwordSetAt: Nullable(Type.String()),
});

export const CreateUserBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    role: RoleSchema,
    password: Type.Optional({
      ...Password,
      description: 'Default: one is generated and answered once',
    }),
  },
  { additionalProperties: false },
);

export const CreatedUser = Type.Object({
  user: User,
  password: Nullable(Type.String({ description: 'The generated password, shown only this once' })),
});

export const UpdateUserBody = Type.Object(
  { role: Type.Optional(RoleSchema), password: Type.Optional(Password) },
  { additionalProperties: false, minProperties: 1 },
);

export const Me = Type.Object({
  user: User,
  token: Type.Object({ id: Type.String({ format: 'uuid' }), name: Type.String() }),
  scopes: Type.Array(ScopeSchema, { description: 'What this token may do now' }),
});

export const PasswordChangeBody = Type.Object(
  { current: Type.String({ maxLength: MAX_PASSWORD_LENGTH }), password: Password },
  { additionalProperties: false },
);

export const SignInBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: MAX_PASSWORD_LENGTH }),
    tokenName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
