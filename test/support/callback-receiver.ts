/**
 * A loopback HTTP server standing in for Docker Hub's callback endpoint: it
 * records every request (method, path, headers, JSON body) and answers 200.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor as poll } from './test-engine.js';

export interface ReceivedCallback {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface CallbackReceiver {
  /** 127.0.0.1:PORT */
  host: string;
  received: ReceivedCallback[];
  /** Polls until a request for `path` came; fails after `timeoutMs`. */
  waitFor(path: string, timeoutMs?: number): Promise<ReceivedCallback>;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // kept as text
      }
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
      });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    received,
    waitFor: (path, timeoutMs = 30_000) =>
      poll(`a callback to ${path}`, () => received.find((r) => r.path === path), timeoutMs).catch(
        (error: Error) => {
          throw new Error(`${error.message}; got ${JSON.stringify(received.map((r) => r.path))}`);
        },
      ),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
