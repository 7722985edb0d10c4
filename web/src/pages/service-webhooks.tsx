import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, api } from '../api/client';
import { useActionEvents } from '../api/events';
import type { CreatedWebhook, Webhook, WebhookOperation } from '../api/types';
import { ConfirmButton } from '../ui/confirm-button';
import { Empty, ErrorNote, Loading } from '../ui/status';
import { Time } from '../ui/time';
import { useLoad } from '../ui/use-load';

const OPERATIONS: Record<WebhookOperation, string> = {
  REDEPLOY: 'Redeploy',
  SCALEUP: 'Scale up',
};

export function ServiceWebhooks(props: { serviceId: string; serviceName: string }) {
  const { serviceId } = props;
  const webhooks = useLoad(
    useCallback(
      async (signal: AbortSignal) => (await api.webhooks(serviceId, signal)).webhooks,
      [serviceId],
    ),
  );
  const [created, setCreated] = useState<CreatedWebhook>();

  // A call of a handler queues an action: its "last called" and "calls" changed.
  useActionEvents(
    serviceId,
    (action) => {
      if (action.state === 'Pending' && action.trigger.kind === 'webhook') webhooks.reload();
    },
    webhooks.reload,
  );

  const list = webhooks.data;
  return (
    <>
      <AddWebhookForm
        serviceId={serviceId}
        onCreated={(answer) => {
          setCreated(answer);
          webhooks.reload();
        }}
      />
      {created && (
        <CreatedWebhookDialog
          created={created}
          serviceName={props.serviceName}
          onClose={() => setCreated(undefined)}
        />
      )}

      <h2>Handlers</h2>
      {webhooks.error && <ErrorNote error={webhooks.error} onRetry={webhooks.reload} />}
      {!list ? (
        !webhooks.error && <Loading what="webhook handlers" />
      ) : list.length === 0 ? (
        <Empty>
          No webhook handlers yet. Add one above: a POST to its URL redeploys this service.
        </Empty>
      ) : (
        <table className="table stack">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Operation</th>
              <th scope="col">Created</th>
              <th scope="col">Last called</th>
              <th scope="col" className="num">
                Calls
              </th>
              <th scope="col">
                <span className="visually-hidden">Revoke</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.map((webhook) => (
              <WebhookRow
                key={webhook.id}
                webhook={webhook}
                serviceId={serviceId}
                onRevoked={webhooks.reload}
              />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function WebhookRow(props: { webhook: Webhook; serviceId: string; onRevoked: () => void }) {
  const { webhook } = props;
  const revoked = webhook.revokedAt !== null;
  return (
    <tr className={revoked ? 'revoked' : undefined}>
      <th scope="row" data-label="Name">
        {webhook.name}{' '}
        <span className="mono muted" title="The first characters of its token">
          {webhook.tokenPrefix}…
        </span>
      </th>
      <td data-label="Operation">
        {OPERATIONS[webhook.operation] ?? webhook.operation}
        {webhook.operation === 'SCALEUP' && webhook.maxScale !== undefined && (
          <span className="muted"> (up to {webhook.maxScale} a call)</span>
        )}
      </td>
      <td data-label="Created">
        <Time iso={webhook.createdAt} />
      </td>
      <td data-label="Last called">
        <Time iso={webhook.lastCalledAt} empty="never" />
      </td>
      <td data-label="Calls" className="num">
        {webhook.callCount}
      </td>
      <td className="row-actions">
        {revoked ? (
          <span className="muted">
            Revoked <Time iso={webhook.revokedAt} />
          </span>
        ) : (
          <ConfirmButton
            label="Revoke"
            title={`Revoke “${webhook.name}”?`}
            danger
            onConfirm={async () => {
              await api.revokeWebhook(props.serviceId, webhook.id);
              props.onRevoked();
            }}
          >
            <p>
              Its URL stops working at once: every later call answers 404. This cannot be undone;
              add a new handler to get a new URL.
            </p>
          </ConfirmButton>
        )}
      </td>
    </tr>
  );
}

function AddWebhookForm(props: {
  serviceId: string;
  onCreated: (created: CreatedWebhook) => void;
}) {
  const nameId = useId();
  const operationId = useId();
  const [name, setName] = useState('');
  const [operation, setOperation] = useState<WebhookOperation>('REDEPLOY');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.createWebhook(props.serviceId, name.trim(), operation);
      setName('');
      props.onCreated(created);
    } catch (reason) {
      setError(reason instanceof ApiError ? reason.message : 'The handler was not created.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="add-webhook" onSubmit={(event) => void submit(event)}>
      <div className="field grow">
        <label htmlFor={nameId}>Add webhook</label>
        <input
          id={nameId}
          value={name}
          onChange={(event) => setName(event.target.value)}
          placeholder="Name, e.g. docker hub"
          maxLength={64}
          required
          aria-invalid={error ? true : undefined}
        />
      </div>
      <div className="field">
        <label htmlFor={operationId}>Operation</label>
        <select
          id={operationId}
          value={operation}
          onChange={(event) => setOperation(event.target.value as WebhookOperation)}
        >
          <option value="REDEPLOY">Redeploy</option>
          <option value="SCALEUP">Scale up</option>
        </select>
      </div>
      <button type="submit" className="primary" disabled={busy || !name.trim()} aria-busy={busy}>
        Add
      </button>
      {error && (
        <p className="error-text full" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Shows the new handler's URL: the only time Hoist has it in clear. */
function CreatedWebhookDialog(props: {
  created: CreatedWebhook;
  serviceName: string;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const urlInput = useRef<HTMLInputElement>(null);
  const titleId = useId();
  const urlId = useId();
  const [copied, setCopied] = useState<'yes' | 'select'>();
  const { webhook, url } = props.created;

  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
  }, []);

  const copy = async () => {
    try {
      // Only on https:// or localhost (a secure context); elsewhere the text is selected instead.
      await navigator.clipboard.writeText(url);
      setCopied('yes');
    } catch {
      urlInput.current?.select();
      setCopied('select');
    }
  };

  return (
    <dialog ref={dialog} className="dialog wide" aria-labelledby={titleId} onClose={props.onClose}>
      <h2 id={titleId}>Webhook “{webhook.name}” added</h2>
      <p className="warning" role="note">
        Copy this URL now: it will not be shown again. Hoist keeps only a hash of it.
      </p>
      <label htmlFor={urlId}>Webhook URL</label>
      <div className="copy-row">
        <input
          id={urlId}
          ref={urlInput}
          className="mono"
          readOnly
          value={url}
          onFocus={(event) => event.target.select()}
        />
        <button type="button" className="primary" onClick={() => void copy()}>
          Copy
        </button>
      </div>
      <p className="hint" role="status">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'select'
            ? 'The browser does not allow copying here: the URL is selected, press Ctrl+C.'
            : ''}
      </p>
      <p className="hint">
        A <code>POST</code> to it{' '}
        {webhook.operation === 'SCALEUP'
          ? `adds one replica to ${props.serviceName} (append /N to add N${webhook.maxScale ? `, at most ${webhook.maxScale}` : ''})`
          : `redeploys ${props.serviceName}`}
        , e.g. <code className="wrap">curl -X POST {url}</code>
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={() => dialog.current?.close()}>
          Done
        </button>
      </div>
    </dialog>
  );
}
