import { maxHeaderSize, STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type {
  ConnectionError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
} from 'fastify';
import { sendError } from './error-handler.js';

/**
 * Requests Node cannot parse (a malformed request line or header, headers over
 * its size limit, a request that did not arrive in time) never reach a route:
 * Node hands the socket to 'clientError', and Fastify's default answers in its
 * own format. This answers in the API's, saying what was wrong without quoting
 * what was received (a request line may hold a secret URL), and logs only the
 * parser's code: the error carries the raw bytes.
 */
export function clientErrorHandler(requestTimeoutMs: number) {
  const answers: Record<string, [status: number, code: string, message: string]> = {
    ERR_HTTP_REQUEST_TIMEOUT: [
      408,
      'request_timeout',
      `The request did not arrive whole within ${requestTimeoutMs / 1000} s; send it again without pausing.`,
    ],
    HPE_HEADER_OVERFLOW: [
      431,
      'headers_too_large',
      `The request line and headers are larger than ${maxHeaderSize / 1024} KiB; shorten the URL or the headers.`,
    ],
    HPE_CHUNK_EXTENSIONS_OVERFLOW: [
      413,
      'payload_too_large',
      'The chunk extensions are too large; send the body without them.',
    ],
  };
  return function (this: FastifyInstance, error: ConnectionError, socket: Socket): void {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const [status, code, message] = answers[error.code] ?? [
      400,
      'bad_request',
      `The request is not valid HTTP/1.1 (${error.code}); check the request line and headers.`,
    ];
    this.log.debug({ code: error.code, status }, 'malformed request');
    // Not once an answer has begun on this socket (as Node's own handler): it would corrupt it.
    const answering = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
    if (socket.writable && !answering?.headersSent) {
      const body = JSON.stringify({ error: { code, message } });
      socket.write(
        `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  };
}

/**
 * An HTTP/1.1 request must name its Host. Node's own check (requireHostHeader)
 * answers a bare 400 outside Fastify; it is turned off and done here instead.
 */
export function requireHost(
  request: FastifyRequest,
  reply: FastifyReply,
  done: HookHandlerDoneFunction,
): void {
  if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
    reply.header('connection', 'close');
    void sendError(reply, 400, 'bad_request', 'The request has no Host header; send one.');
    return;
  }
  done();
}
