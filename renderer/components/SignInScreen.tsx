import { useId, useState, type FormEvent } from 'react';
import { useAppState, useController } from '../app/AppContext.js';
import { describeError } from '../lib/describeError.js';

type Mode = 'signIn' | 'register';

/** Sign in or create an account. Errors show as text in an alert. */
export function SignInScreen() {
  const controller = useController();
  const config = useAppState((s) => s.serverConfig);
  const authMessage = useAppState((s) => s.authMessage);
  const [mode, setMode] = useState<Mode>('signIn');
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const registrationOpen = config?.registrationOpen ?? true;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (mode === 'signIn') await controller.signIn(username.trim(), password);
      else await controller.register(username.trim(), displayName.trim(), password);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  };

  const switchTo = (next: Mode) => {
    setMode(next);
    setError(null);
  };

  return (
    <main className="signin">
      <form className="signin-card" onSubmit={submit} aria-labelledby={`${id}-heading`}>
        <h1 id={`${id}-heading`} className="brand">
          Earshot
          {config?.serverName ? <span className="server-name">{config.serverName}</span> : null}
        </h1>
        <div role="tablist" aria-label="Account" className="tabs">
          <button type="button" role="tab" aria-selected={mode === 'signIn'} onClick={() => switchTo('signIn')}>
            Sign in
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={mode === 'register'}
            disabled={!registrationOpen}
            onClick={() => switchTo('register')}
          >
            Create account
          </button>
        </div>
        {!registrationOpen ? <p className="hint">New accounts are created by an administrator on this server.</p> : null}
        {authMessage && !error ? (
          <p role="alert" className="notice">
            {authMessage}
          </p>
        ) : null}
        <label htmlFor={`${id}-username`}>Username</label>
        <input
          id={`${id}-username`}
          autoComplete="username"
          autoCapitalize="none"
          spellCheck={false}
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
        />
        {mode === 'register' ? (
          <>
            <label htmlFor={`${id}-display`}>Display name</label>
            <input
              id={`${id}-display`}
              autoComplete="name"
              required
              value={displayName}
              onChange={(e) => setDisplayName(e.target.value)}
            />
          </>
        ) : null}
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete={mode === 'signIn' ? 'current-password' : 'new-password'}
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        {mode === 'register' ? <p className="hint">At least 8 characters. Usernames use a–z, 0–9, “_”, “.” and “-”.</p> : null}
        {error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy}>
          {mode === 'signIn' ? 'Sign in' : 'Create account'}
        </button>
      </form>
    </main>
  );
}
