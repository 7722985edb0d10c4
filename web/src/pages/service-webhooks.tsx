import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, api } from '../api/client';
import { useActionEvents } from '../api/events';
import type { CreatedWebhook, Webhook, WebhookOperation } from '../api/types';
import { ConfirmButton } from '../ui/confirm-button';
import { Empty, ErrorNote, Loading } from '../ui/status';
import { Time } from '../ui/time';
import { useLoad } from '../ui/use-load';
import { DeliveryList } from '../webhooks/delivery-list';
import type { MAX_RATE_LIMIT as SERVER_MAX_RATE_LIMIT } from '../../../src/domain/webhooks/webhook';

const OPERATIONS: Record<WebhookOperation, string> = {
  REDEPLOY: 'Redeploy',
  SCALEUP: 'Scale up',
};

/**
 * The server's bound for rateLimitPerMinute. The bundle holds no server code, so the value is
 * written here; its type is the server's literal, so the type check fails if the two differ.
 */
const MAX_RATE_LIMIT: typeof SERVER_MAX_RATE_LIMIT = 100_000;

const calls = (n: number) => `${n} ${n === 1 ? 'call' : 'calls'}`;

export function ServiceWebhooks(props: { serviceId: string; serviceName: string }) {
  const { serviceId } = props;
  const webhooks = useLoad(
    useCallback(
      async (signal: AbortSignal) => (await api.webhooks(serviceId, signal)).webhooks,
      [serviceId],
    ),
  );
  const [created, setCreated] = useState<CreatedWebhook>();
  // Bumped when a handler's call queued an action: open delivery lists load again.
  const [deliveryRound, setDeliveryRound] = useState(0);
  const callsChanged = () => {
    webhooks.reload();
    setDeliveryRound((n) => n + 1);
  };

  // A call that queues an action is the one call the event stream tells of: the handler's
  // "last called" and "calls" changed and it has a new delivery. Calls that joined a waiting
  // action, were ignored or refused send no event; the list's Refresh shows them.
  useActionEvents(
    serviceId,
    (action) => {
      if (action.state === 'Pending' && action.trigger.kind === 'webhook') callsChanged();
    },
    callsChanged,
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
                deliveryRound={deliveryRound}
                onRevoked={webhooks.reload}
              />
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

const COLUMNS = 6;

function WebhookRow(props: {
  webhook: Webhook;
  serviceId: string;
  deliveryRound: number;
  onRevoked: () => void;
}) {
  const { webhook } = props;
  const revoked = webhook.revokedAt !== null;
  const rateLimit = webhook.rateLimitPerMinute;
  const [open, setOpen] = useState(false);
  const panelId = useId();
  return (
    <>
      <tr className={`${revoked ? 'revoked ' : ''}${open ? 'expanded' : ''}`.trim() || undefined}>
        <th scope="row" data-label="Name">
          <button
            type="button"
            className="row-toggle"
            aria-expanded={open}
            aria-controls={panelId}
            title={open ? 'Hide its recent deliveries' : 'Show its recent deliveries'}
            onClick={() => setOpen((o) => !o)}
          >
            <span className="chevron" aria-hidden="true" />
            {webhook.name}
            <span className="visually-hidden">: recent deliveries</span>
          </button>{' '}
          <span className="mono muted" title="The first characters of its token">
            {webhook.tokenPrefix}…
          </span>
          {(webhook.signed || webhook.passBody || rateLimit !== null) && (
            <span className="tags">
              {webhook.signed && (
                <span className="tag" title="Calls must carry a valid signature">
                  signed
                </span>
              )}
              {webhook.signed && webhook.signatureScheme === 'standard-webhooks' && (
                <span
                  className="tag"
                  title="Only Standard Webhooks signatures, whose timestamp stops replays; GitHub's X-Hub-Signature-256 is refused"
                >
                  Standard Webhooks only
                </span>
              )}
              {webhook.passBody && (
                <span
                  className="tag"
                  title="The call's body reaches the new containers as HOIST_TRIGGER_BODY"
                >
                  passes body
                </span>
              )}
              {rateLimit !== null && (
                <span
                  className="tag"
                  title={`At most ${calls(rateLimit)} a minute; more answer 429 Too Many Requests`}
                >
                  ≤ {calls(rateLimit)}/min
                </span>
              )}
            </span>
          )}
        </th>
        <td data-label="Operation">
          {OPERATIONS[webhook.operation] ?? webhook.operation}
          {webhook.operation === 'SCALEUP' && (
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
      {open && (
        <tr className="deliveries-row">
          <td colSpan={COLUMNS} id={panelId}>
            <DeliveryList
              serviceId={props.serviceId}
              webhookId={webhook.id}
              refresh={props.deliveryRound}
            />
          </td>
        </tr>
      )}
    </>
  );
}

function AddWebhookForm(props: {
  serviceId: string;
  onCreated: (created: CreatedWebhook) => void;
}) {
  const nameId = useId();
  const operationId = useId();
  const signedHintId = useId();
  const standardOnlyHintId = useId();
  const passBodyHintId = useId();
  const rateLimitId = useId();
  const [name, setName] = useState('');
  const [operation, setOperation] = useState<WebhookOperation>('REDEPLOY');
  const [signed, setSigned] = useState(false);
  const [standardOnly, setStandardOnly] = useState(false);
  const [passBody, setPassBody] = useState(false);
  // As typed: empty is no limit. The input's min, max and step have the browser refuse the rest.
  const [rateLimit, setRateLimit] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  // Only a redeploy starts containers that could be given the body.
  const canPassBody = operation === 'REDEPLOY';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created = await api.createWebhook(props.serviceId, {
        name: name.trim(),
        operation,
        signed,
        ...(signed && standardOnly ? { signatureScheme: 'standard-webhooks' as const } : {}),
        passBody: canPassBody && passBody,
        ...(rateLimit.trim() === '' ? {} : { rateLimitPerMinute: Number(rateLimit) }),
      });
      setName('');
      setSigned(false);
      setStandardOnly(false);
      setPassBody(false);
      setRateLimit('');
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
      <div className="field rate-limit">
        <label htmlFor={rateLimitId}>Calls per minute (optional)</label>
        <input
          id={rateLimitId}
          type="number"
          inputMode="numeric"
          min={1}
          max={MAX_RATE_LIMIT}
          step={1}
          value={rateLimit}
          onChange={(event) => setRateLimit(event.target.value)}
          placeholder="No limit"
          title="At most this many calls a minute: that many at once, then one more every 60/N seconds. More answer 429 Too Many Requests."
        />
      </div>
      <button type="submit" className="primary" disabled={busy || !name.trim()} aria-busy={busy}>
        Add
      </button>
      <div className="checks full">
        <div className="check">
          <input
            type="checkbox"
            id={`${nameId}-signed`}
            checked={signed}
            onChange={(event) => setSigned(event.target.checked)}
            aria-describedby={signedHintId}
          />
          <label htmlFor={`${nameId}-signed`}>Require signed calls</label>
          <p id={signedHintId} className="hint">
            Each call carries an HMAC of its body made with a secret Hoist shows once (Standard
            Webhooks or GitHub&apos;s <code>X-Hub-Signature-256</code>); others are refused.
          </p>
        </div>
        <div className="check">
          <input
            type="checkbox"
            id={`${nameId}-standard-only`}
            checked={signed && standardOnly}
            disabled={!signed}
            onChange={(event) => setStandardOnly(event.target.checked)}
            aria-describedby={standardOnlyHintId}
          />
          <label htmlFor={`${nameId}-standard-only`}>Standard Webhooks signatures only</label>
          <p id={standardOnlyHintId} className="hint">
            {signed
              ? 'Their signed timestamp must be within 5 minutes, so a copied call cannot be sent again later. GitHub signatures carry no time: they are refused.'
              : 'Signed handlers only.'}
          </p>
        </div>
        <div className="check">
          <input
            type="checkbox"
            id={`${nameId}-pass-body`}
            checked={canPassBody && passBody}
            disabled={!canPassBody}
            onChange={(event) => setPassBody(event.target.checked)}
            aria-describedby={passBodyHintId}
          />
          <label htmlFor={`${nameId}-pass-body`}>Pass the call&apos;s body to the containers</label>
          <p id={passBodyHintId} className="hint">
            {canPassBody ? (
              <>
                The new containers get it (at most 64 KiB) as <code>HOIST_TRIGGER_BODY</code>.
              </>
            ) : (
              'Redeploy handlers only: scaling up starts no new version to give it to.'
            )}
          </p>
        </div>
      </div>
      {error && (
        <p className="error-text full" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** Shows the new handler's URL (and signing secret): the only time Hoist gives them out. */
function CreatedWebhookDialog(props: {
  created: CreatedWebhook;
  serviceName: string;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const { webhook, url, signingSecret } = props.created;
  const rateLimit = webhook.rateLimitPerMinute;

  useEffect(() => {
    if (!dialog.current?.open) dialog.current?.showModal();
  }, []);

  return (
    <dialog ref={dialog} className="dialog wide" aria-labelledby={titleId} onClose={props.onClose}>
      <h2 id={titleId}>Webhook “{webhook.name}” added</h2>
      <p className="warning" role="note">
        {signingSecret
          ? 'Copy the URL and the signing secret now: both are shown only once. Hoist keeps only a hash of the URL.'
          : 'Copy this URL now: it will not be shown again. Hoist keeps only a hash of it.'}
      </p>
      <CopyField label="Webhook URL" what="the URL" value={url} />
      {signingSecret && (
        <CopyField label="Signing secret" what="the signing secret" value={signingSecret} />
      )}
      <p className="hint">
        A <code>POST</code> to it{' '}
        {webhook.operation === 'SCALEUP'
          ? `adds one replica to ${props.serviceName} (append /N to add N, at most ${webhook.maxScale})`
          : `redeploys ${props.serviceName}`}
        {signingSecret ? (
          <>
            {' '}
            when it is signed with this secret: Standard Webhooks headers (<code>
              webhook-id
            </code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>)
            {webhook.signatureScheme === 'standard-webhooks' ? (
              ' only'
            ) : (
              <>
                {' '}
                or GitHub&apos;s <code>X-Hub-Signature-256</code>
              </>
            )}
            . Unsigned calls answer 401.
          </>
        ) : (
          <>
            , e.g. <code className="wrap">curl -X POST {url}</code>
          </>
        )}
      </p>
      {webhook.passBody && (
        <p className="hint">
          The call&apos;s body reaches the new containers as <code>HOIST_TRIGGER_BODY</code>.
        </p>
      )}
      {rateLimit !== null && (
        <p className="hint">
          It takes at most {calls(rateLimit)} a minute: {rateLimit} at once, then one more every{' '}
          {Number((60 / rateLimit).toPrecision(3))} s. Calls beyond that answer 429 with a{' '}
          <code>Retry-After</code> header and are listed as rejected.
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" onClick={() => dialog.current?.close()}>
          Done
        </button>
      </div>
    </dialog>
  );
}

/** A read-only value with its own Copy button (falls back to selecting it). */
function CopyField(props: { label: string; what: string; value: string }) {
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'select'>();

  const copy = async () => {
    try {
      // Only on https:// or localhost (a secure context); elsewhere the text is selected instead.
      await navigator.clipboard.writeText(props.value);
      setCopied('yes');
    } catch {
      input.current?.select();
      setCopied('select');
    }
  };

  return (
    <div className="copy-field">
      <label htmlFor={id}>{props.label}</label>
      <div className="copy-row">
        <input
          id={id}
          ref={input}
          className="mono"
          readOnly
          value={props.value}
          onFocus={(event) => event.target.select()}
        />
        <button
          type="button"
          className="primary"
          aria-label={`Copy ${props.what}`}
          onClick={() => void copy()}
        >
          Copy
        </button>
      </div>
      <p className="hint" role="status">
        {copied === 'yes'
          ? 'Copied to the clipboard.'
          : copied === 'select'
            ? `The browser does not allow copying here: ${props.what} is selected, press Ctrl+C.`
            : ''}
      </p>
    </div>
  );
}
