import type { StreamStatus } from '../api/events';

const TEXT: Record<StreamStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

/** Whether the page follows actions live (GET /api/v1/events) right now. */
export function LiveStatus({ status }: { status: StreamStatus }) {
  return (
    <span className={`live live-${status}`} role="status" title="Updates arrive without a reload">
      <span className="dot" aria-hidden="true" />
      {TEXT[status]}
    </span>
  );
}
