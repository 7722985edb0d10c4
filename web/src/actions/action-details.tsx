import { useCallback, useEffect } from 'react';
import { api } from '../api/client';
import type { Action } from '../api/types';
import { ENDED_STATES } from '../api/types';
import { shortDigest } from '../services/service-summary';
import { ErrorNote, Loading } from '../ui/status';
import { formatDuration, Time, useNow } from '../ui/time';
import { useLoad } from '../ui/use-load';

/** Steps are written while an action runs; events come only when its state changes. */
const RUNNING_POLL_MS = 2000;

/** An action's facts and its log of steps (GET /api/v1/actions/{id}), kept fresh while it runs. */
export function ActionDetails({ action }: { action: Action }) {
  const now = useNow();
  const detail = useLoad(
    useCallback(
      (signal: AbortSignal) => api.action(action.id, signal),
      // The state is a dependency on purpose: each change loads the steps again.
      // eslint-disable-next-line react-hooks/exhaustive-deps
      [action.id, action.state],
    ),
  );
  const ended = ENDED_STATES.includes(action.state);
  const { reload } = detail;
  useEffect(() => {
    if (ended) return;
    const timer = setInterval(reload, RUNNING_POLL_MS);
    return () => clearInterval(timer);
  }, [ended, reload]);

  const log = detail.data?.log;
  return (
    <>
      <dl className="facts compact">
        <dt>Image</dt>
        <dd className="mono wrap">{action.imageRef ?? '—'}</dd>
        <dt>Digest before</dt>
        <dd className="mono" title={action.digestBefore ?? undefined}>
          {shortDigest(action.digestBefore)}
        </dd>
        <dt>Digest after</dt>
        <dd className="mono" title={action.digestAfter ?? undefined}>
          {shortDigest(action.digestAfter)}
        </dd>
        <dt>Started</dt>
        <dd>
          <Time iso={action.startedAt} empty="not yet" />
        </dd>
        <dt>{ended ? 'Took' : 'Running for'}</dt>
        <dd>{action.startedAt ? formatDuration(action.startedAt, action.endedAt, now) : '—'}</dd>
        {action.attempts > 1 && (
          <>
            <dt>Attempts</dt>
            <dd>{action.attempts}</dd>
          </>
        )}
        {action.reason && (
          <>
            <dt>Reason</dt>
            <dd className="error-text">{action.reason}</dd>
          </>
        )}
      </dl>
      <h3 className="steps-title">Steps</h3>
      {detail.error && <ErrorNote error={detail.error} onRetry={detail.reload} />}
      {!log ? (
        !detail.error && <Loading what="steps" />
      ) : log.length === 0 ? (
        <p className="note">No steps yet.</p>
      ) : (
        <ol className="steps">
          {log.map((step) => (
            <li key={step.seq}>
              <time dateTime={step.at} className="mono muted">
                {new Date(step.at).toLocaleTimeString()}
              </time>{' '}
              {step.message}
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
