import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * `Expect: 100-continue` asks the server whether to send the body. Left to
 * itself Node says yes to every request (`100 Continue`), and a body the route
 * refuses is sent for nothing. Here a body announced larger than its route
 * takes is not invited: the request goes on without `100`, the route's body
 * limit answers 413 from Content-Length before reading anything, and the
 * connection is closed after the answer, since a client tired of waiting may
 * send the body anyway. Other expectations are ignored (RFC 9110 allows it), so
 * every answer is the routes' own, in the API's error format, not Node's bare 417.
 */
export function answerExpectations(server: Server, bodyLimit: (url: string) => number): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    const announced = Number(request.headers['content-length']);
    if (announced > bodyLimit(request.url ?? '/')) response.setHeader('connection', 'close');
    else response.writeContinue();
    server.emit('request', request, response);
  });
  server.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    server.emit('request', request, response);
  });
}
