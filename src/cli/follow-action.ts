/**
 * Following an action live (`service redeploy --sync`, `action logs -f`):
 * poll GET /api/v1/actions/{id} until it ends, printing each new log line
 * once, with the time elapsed since the action was created. On a terminal a
 * spinner below the lines shows the state; elsewhere only plain lines are
 * written. A server that stops answering for a moment (a restart) is waited
 * for; Ctrl-C stops following, never the action.
 */
import type { ApiClient } from './api-client.js';
import { UnreachableError } from './api-client.js';
import type { ActionLogEntry, ActionWithLog } from './api-types.js';
import { ENDED_STATES } from './api-types.js';
import { duration, err, out, shortId, stateText, styleFor } from './output.js';

const POLL_MS = 500;
const SPIN_MS = 100;
const UNREACHABLE_GRACE_MS = 30_000;
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export type FollowMode = 'lines' | 'ndjson' | 'silent';

export function isEnded(action: { state: string }): boolean {
  return (ENDED_STATES as readonly string[]).includes(action.state);
}

/** One log line: "   1.2s  Pulling 127.0.0.1:5000/web:latest" */
export function logLine(entry: ActionLogEntry, createdAt: string): string {
  const elapsed = duration(Date.parse(entry.at) - Date.parse(createdAt));
  return `${elapsed.padStart(7)}  ${entry.message}`;
}

/** Polls until the action ends; prints its log as it grows (per `mode`); returns the ended action. */
export async function followAction(
  client: ApiClient,
  id: string,
  mode: FollowMode,
): Promise<ActionWithLog> {
  const style = styleFor(process.stdout);
  const spinning = mode === 'lines' && process.stdout.isTTY === true;
  let lastSeq = -Infinity;
  let action: ActionWithLog | null = null;
  let frame = 0;
  let spinnerShown = false;

  const clearSpinner = () => {
    if (spinnerShown) process.stdout.write('\r\u001b[2K');
    spinnerShown = false;
  };
  const drawSpinner = () => {
    if (!spinning || !action) return;
    const since = duration(Date.now() - Date.parse(action.createdAt));
    clearSpinner();
    process.stdout.write(
      `${style.cyan(FRAMES[frame++ % FRAMES.length]!)} ${stateText(action.state, style)} ${style.dim(since)}`,
    );
    spinnerShown = true;
  };
  const timer = spinning ? setInterval(drawSpinner, SPIN_MS) : null;
  const onInterrupt = () => {
    clearSpinner();
    err(
      `\nStopped following; action ${shortId(id)} goes on on the server. Follow it again with: hoist action logs -f ${id}`,
    );
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);

  try {
    let unreachableSince: number | null = null;
    for (;;) {
      try {
        action = await client.getAction(id);
        unreachableSince = null;
      } catch (error) {
        if (!(error instanceof UnreachableError)) throw error;
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince > UNREACHABLE_GRACE_MS) throw error;
        await sleep(POLL_MS);
        continue;
      }
      const fresh = action.log.filter((entry) => entry.seq > lastSeq);
      if (fresh.length > 0) {
        clearSpinner();
        for (const entry of fresh) {
          if (mode === 'lines') out(logLine(entry, action.createdAt));
          if (mode === 'ndjson') out(JSON.stringify(entry));
          lastSeq = Math.max(lastSeq, entry.seq);
        }
      }
      if (isEnded(action)) return action;
      drawSpinner();
      await sleep(POLL_MS);
    }
  } finally {
    if (timer) clearInterval(timer);
    clearSpinner();
    process.removeListener('SIGINT', onInterrupt);
  }
}

/**
 * Prints how an action ended ("Success in 8.4s" on stdout; a failure and its
 * reason on stderr) and returns the exit code: 0 for Success, 1 otherwise.
 */
export function reportEnd(action: ActionWithLog, quietSuccess = false): number {
  const style = styleFor(process.stdout);
  const took = duration(
    Date.parse(action.endedAt ?? action.createdAt) - Date.parse(action.createdAt),
  );
  if (action.state === 'Success') {
    const mark = style.enabled ? style.green('✔ ') : '';
    if (!quietSuccess) out(`${mark}${action.type} ${stateText(action.state, style)} in ${took}`);
    return 0;
  }
  const errStyle = styleFor(process.stderr);
  const reason = action.reason ? `: ${action.reason}` : '';
  err(
    `hoist: ${action.type} action ${shortId(action.id)} ended ${stateText(action.state, errStyle)} after ${took}${reason}`,
  );
  return 1;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
