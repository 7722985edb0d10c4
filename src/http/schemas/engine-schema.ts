import { Type } from 'typebox';
import { Nullable } from './nullable.js';

export const EngineStatus = Type.Object({
  id: Type.String(),
  host: Type.String(),
  reachable: Type.Boolean(),
  mode: Nullable(Type.String({ description: 'standalone or swarm' })),
  version: Nullable(Type.String()),
  apiVersion: Nullable(Type.String()),
  error: Nullable(Type.String({ description: 'Why it is unreachable and what to do' })),
});
