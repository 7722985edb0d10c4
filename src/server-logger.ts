/**
 * The server's log: JSON lines (pino) for whatever collects them, or one
 * readable line per event for a person at a terminal. Both are the same pino
 * logger with the same fields, so whatever is redacted (redactPath) is
 * redacted in both. The readable form is pino-pretty's formatter called in
 * this thread, line by line: not its transport, which would run a worker
 * thread and could lose the last lines when the process exits.
 */
import { destination as pinoDestination, pino, type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import type { LogFormat } from './config.js';

/**
 * `destination` (tests) replaces stdout; `auto` then means JSON, since a
 * test's stream is no terminal.
 */
export function createServerLogger(
  settings: { level: string; format: LogFormat },
  destination?: DestinationStream,
): Logger {
  const terminal = destination === undefined && process.stdout.isTTY === true;
  // Asynchronous: a burst of calls writes its log lines in a few large writes, not one each.
  // pino flushes them when the process exits.
  const out = destination ?? pinoDestination({ dest: 1, sync: false });
  const pretty = settings.format === 'pretty' || (settings.format === 'auto' && terminal);
  if (!pretty) return pino({ level: settings.level }, out);
  const format = prettyFactory({
    colorize: terminal,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  return pino({ level: settings.level }, { write: (line: string) => out.write(format(line)) });
}
