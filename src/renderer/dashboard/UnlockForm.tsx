/** Unlocks a locked repository with its password (`repo.unlock`). */
import { type FormEvent, useId, useState } from 'react';
import { useApp } from '../storeContext.js';

export function UnlockForm({ repositoryId, label }: { repositoryId: string; label: string }) {
  const unlock = useApp((state) => state.unlock);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await unlock({ repositoryId, password });
      setPassword('');
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)} aria-label={`Unlock ${label}`}>
      <label htmlFor={inputId}>Password for {label}</label>
      <input
        id={inputId}
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <button type="submit" disabled={busy} aria-busy={busy}>
        Unlock
      </button>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
