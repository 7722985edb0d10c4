import { useId, useState, type ReactNode } from 'react';
import { ApiError, api } from '../api/client';
import type { Service, ServiceSettings } from '../api/types';

/**
 * One of the service's settings in Hoist (PATCH /api/v1/services/{id}) as a
 * switch. The switch moves at once; a refusal puts it back and says why. One
 * change at a time: while one is saving, the switch ignores clicks (it stays
 * focused and says "Saving…"), so answers cannot arrive out of order and leave
 * it showing what the server does not have.
 */
export function SettingSwitch(props: {
  service: Service;
  setting: keyof ServiceSettings;
  label: string;
  hint: ReactNode;
  /** The service as the API answered the change. */
  onSaved: (service: Service) => void;
}) {
  const { service, setting, label } = props;
  const id = useId();
  const hintId = useId();
  // What the user asked for, while the API has not answered it yet.
  const [pending, setPending] = useState<boolean>();
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const checked = pending ?? service[setting];

  const change = async (on: boolean) => {
    if (pending !== undefined) return;
    setPending(on);
    setError(undefined);
    setSaved(undefined);
    try {
      const answer = await api.updateService(service.id, { [setting]: on });
      props.onSaved(answer);
      setPending(undefined);
      setSaved(`${label} is ${answer[setting] ? 'on' : 'off'}.`);
    } catch (reason) {
      setPending(undefined);
      setError(
        `${label} was not turned ${on ? 'on' : 'off'}: ${
          reason instanceof ApiError ? reason.message : 'the request failed.'
        }`,
      );
    }
  };

  return (
    <div className="setting">
      <input
        type="checkbox"
        role="switch"
        className="switch"
        id={id}
        checked={checked}
        aria-describedby={hintId}
        aria-busy={pending !== undefined}
        onChange={(event) => void change(event.target.checked)}
      />
      <div className="setting-text">
        <label htmlFor={id}>{label}</label>
        <p id={hintId} className="hint">
          {props.hint}
        </p>
        {error ? (
          <p className="error-text setting-message" role="alert">
            {error}
          </p>
        ) : (
          <p className="hint setting-message" role="status">
            {pending !== undefined ? 'Saving…' : (saved ?? '')}
          </p>
        )}
      </div>
    </div>
  );
}
