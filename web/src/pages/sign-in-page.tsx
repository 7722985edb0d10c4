import { useId, useState, type FormEvent } from 'react';
import { ApiError, api, session } from '../api/client';

/** The only thing an unauthenticated visitor sees. The token is checked before it is kept. */
export function SignInPage(props: { notice: string | undefined; onSignedIn: () => void }) {
  const inputId = useId();
  const hintId = useId();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (!value) {
      setError('Paste an API token first.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await api.engines(value);
      session.save(value);
      props.onSignedIn();
    } catch (reason) {
      setError(reason instanceof ApiError ? reason.message : 'Hoist did not answer.');
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <h1 className="brand">Hoist</h1>
      <form onSubmit={(event) => void submit(event)} aria-labelledby={`${inputId}-title`}>
        <h2 id={`${inputId}-title`}>Sign in</h2>
        {props.notice && (
          <p className="notice" role="status">
            {props.notice}
          </p>
        )}
        <label htmlFor={inputId}>API token</label>
        <input
          id={inputId}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={token}
          onChange={(event) => setToken(event.target.value)}
          aria-describedby={hintId}
          aria-invalid={error ? true : undefined}
          required
        />
        <p id={hintId} className="hint">
          The first token is in <code>&lt;data dir&gt;/initial-admin-token</code> on the server. It
          is kept in this tab only, until you sign out or close it.
        </p>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
