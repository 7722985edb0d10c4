/**
 * HTTP requests made by hand, for tests of what a server answers to exactly
 * the bytes it gets: node:http with only the headers given, a request head
 * over a bare TCP socket whose body never comes or trickles in, and one whose
 * body waits for `100 Continue`.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * One HTTP/1.1 request over node:http, with exactly the headers given (node
 * adds only Host and Connection; no Content-Type unless asked).
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'POST', headers: options.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url} in 10 s`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** One answer read off a socket: its status line, headers and body. */
export interface SocketAnswer {
  statusLine: string;
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** The first whole answer in `received` and the bytes after it, or null while it is incomplete. */
function firstAnswer(received: Buffer): { answer: SocketAnswer; rest: Buffer } | null {
  const end = received.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const [statusLine = '', ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  const body = received.subarray(end + 4);
  if (body.length < length) return null;
  return {
    answer: {
      statusLine,
      status: Number(statusLine.split(' ')[1]),
      headers,
      text: body.subarray(0, length).toString('utf8'),
    },
    rest: body.subarray(length),
  };
}

/**
 * Sends a request head and only `body` over a plain TCP socket, never the
 * rest of what Content-Length announces, and reads the answer: it can only
 * come if the server decided without waiting for the body.
 */
export function headOnlyRequest(
  port: number,
  head: string,
  body: string,
  timeoutMs = 5000,
): Promise<{ status: number; headers: Record<string, string>; text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer in ${timeoutMs} ms; got: ${received.toString()}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const parsed = firstAnswer(received);
      if (!parsed) return;
      clearTimeout(timer);
      socket.destroy();
      const { status, headers, text } = parsed.answer;
      resolve({ status, headers, text, ms: Date.now() - started });
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(head + body);
  });
}

/**
 * Sends a request head, then `byte` every `everyMs` for ever, and reads the
 * answer: a client too slow for the request timeout, though never idle.
 */
export function trickleRequest(
  port: number,
  head: string,
  byte: string,
  everyMs = 200,
  timeoutMs = 10_000,
): Promise<SocketAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received: Buffer = Buffer.alloc(0);
    const trickle = setInterval(() => socket.write(byte), everyMs);
    const stop = () => {
      clearInterval(trickle);
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no answer in ${timeoutMs} ms; got: ${received.toString()}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const parsed = firstAnswer(received);
      if (!parsed) return;
      stop();
      resolve(parsed.answer);
    });
    socket.on('error', (error) => {
      stop();
      reject(error);
    });
    socket.write(head);
  });
}

/**
 * A request with `Expect: 100-continue` in `head`, as curl sends large bodies:
 * the body goes only after the server answered `100 Continue`. Resolves with
 * every answer the server sent, interim ones first; `bodySent` says whether the
 * server asked for the body.
 */
export function expectContinueRequest(
  port: number,
  head: string,
  body: string,
  timeoutMs = 5000,
): Promise<{ answers: SocketAnswer[]; bodySent: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const answers: SocketAnswer[] = [];
    let received: Buffer = Buffer.alloc(0);
    let bodySent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no final answer in ${timeoutMs} ms; got: ${JSON.stringify(answers)}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      for (let parsed = firstAnswer(received); parsed; parsed = firstAnswer(received)) {
        answers.push(parsed.answer);
        received = parsed.rest;
        if (parsed.answer.status === 100) {
          bodySent = true;
          socket.write(body);
          continue;
        }
        clearTimeout(timer);
        socket.destroy();
        resolve({ answers, bodySent });
        return;
      }
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.write(head);
  });
}

/** The token at the end of a handler's secret URL. */
export function tokenOf(url: string): string {
  const token = /\/hooks\/([^/?#]+)$/.exec(new URL(url).pathname)?.[1];
  assert.ok(token, `no token in ${url}`);
  return token;
}
