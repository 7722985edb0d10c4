import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, isHoistError } from '../domain/errors.js';
import { redactPath } from './redact.js';

const STATUS: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  username_taken: 409,
  last_admin: 409,
  signature_invalid: 401,
  not_found: 404,
  service_not_found: 404,
  webhook_not_found: 404,
  action_not_found: 404,
  webhook_name_taken: 409,
  service_exists: 409,
  service_not_owned: 409,
  service_busy: 409,
  service_is_hoist: 409,
  image_not_redeployable: 409,
  payload_too_large: 413,
  rate_limited: 429,
  engine_error: 502,
  engine_unavailable: 503,
  store_unavailable: 503,
  internal: 500,
};

export function sendError(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).type('application/json').send({ error: { code, message } });
}

/**
 * The one place errors become HTTP answers. A 5xx never shows its internal
 * message, except the engine and store ones, which are written for users.
 */
export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (isHoistError(error)) {
    const status = STATUS[error.code];
    if (status >= 500) request.log.warn({ code: error.code, msg: error.message }, 'request failed');
    // A registry or CI job that honours Retry-After tries again later.
    if (error.retryAfterSeconds !== undefined) {
      reply.header('retry-after', String(error.retryAfterSeconds));
    }
    return sendError(reply, status, error.code, error.message);
  }
  if (error.validation) {
    if (error.validationContext === 'body' && request.body === undefined) {
      return sendError(reply, 400, 'bad_request', 'The body is empty; send a JSON object.');
    }
    // Ajv's message does not say which field is unknown; its params do.
    const unknown = error.validation
      .map((v) => v.params.additionalProperty)
      .filter((p): p is string => typeof p === 'string');
    // Nor, for an enum, which values it allows.
    const allowed = error.validation
      .map((v) => v.params.allowedValues)
      .filter((values): values is unknown[] => Array.isArray(values))
      .flat();
    const detail =
      (unknown.length > 0 ? ` (unknown: ${unknown.join(', ')})` : '') +
      (allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : '');
    return sendError(reply, 400, 'bad_request', `Invalid request: ${error.message}${detail}.`);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendError(
        reply,
        413,
        'payload_too_large',
        'The body is larger than 1 MiB; send less.',
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendError(reply, 415, 'unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return sendError(reply, 400, 'bad_request', `The body is not valid JSON: ${error.message}`);
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return sendError(reply, error.statusCode, 'bad_request', error.message);
  }
  request.log.error({ err: error, url: redactPath(request.url) }, 'unexpected error');
  return sendError(
    reply,
    500,
    'internal',
    'Something went wrong inside Hoist; the server log has the details.',
  );
}
