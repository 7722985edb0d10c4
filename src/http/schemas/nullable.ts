import { Type } from 'typebox';

/** A schema that also accepts null (the API shows absent values as null, never omits them). */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);
