/**
 * Settings → Remembered passwords (desktop app only): per repository, whether its password is
 * remembered on this computer (sealed by the system keychain, so Cairn unlocks it at start), with
 * "Forget", or "Remember", which asks for the password and checks it by unlocking the repository
 * with it (main keeps it only if that worked). A remembered password the repository refused at
 * start is marked. In the browser version (`cairn serve`) there is no vault and nothing is shown.
 */
import { type FormEvent, useId, useState } from 'react';
import { forgetPassword, rememberPassword, useVault, type VaultView } from '../api/vault.js';
import { useApp } from '../storeContext.js';

export function RememberedPasswords() {
  const vault = useVault();
  const status = useApp((state) => state.status);
  const repositories = status?.repositories ?? [];
  const view = vault.view;
  if (!view || view.kind === 'absent') return null;
  return (
    <section className="panel" aria-labelledby="remembered-heading">
      <h2 id="remembered-heading">Remembered passwords</h2>
      {view.kind === 'refused' && (
        <p className="hint">Cairn cannot remember passwords on this computer: {view.reason}.</p>
      )}
      {repositories.length === 0 ? (
        <p className="hint">No repository yet.</p>
      ) : (
        <ul className="choice-list">
          {repositories.map((repo) => (
            <RememberedRow key={repo.id} id={repo.id} label={repo.label} view={view} reload={vault.reload} />
          ))}
        </ul>
      )}
    </section>
  );
}

/** What one repository's row says, from the vault's view. */
export function rememberedState(view: VaultView, repositoryId: string): 'remembered' | 'stale' | 'not-remembered' {
  if (view.kind === 'absent' || !view.remembered.includes(repositoryId)) return 'not-remembered';
  return view.stale.includes(repositoryId) ? 'stale' : 'remembered';
}

function RememberedRow({
  id,
  label,
  view,
  reload,
}: {
  id: string;
  label: string;
  view: VaultView;
  reload: () => void;
}) {
  const loadStatus = useApp((state) => state.loadStatus);
  const state = rememberedState(view, id);
  const [asking, setAsking] = useState(false);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();

  async function forget() {
    setBusy(true);
    setError(null);
    try {
      await forgetPassword(id);
      reload();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function remember(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      // Checked by unlocking with it: a wrong password is refused and nothing is kept.
      await rememberPassword(id, password);
      setPassword('');
      setAsking(false);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
      reload();
      void loadStatus();
    }
  }

  return (
    <li>
      <strong>{label}</strong>
      {state === 'remembered' && <span> — Password remembered on this computer.</span>}
      {state === 'stale' && (
        <span className="error-text">
          {' '}
          — The remembered password no longer opens this repository (it was changed elsewhere).
        </span>
      )}
      {state === 'not-remembered' && <span> — Password not remembered; Cairn asks for it after every start.</span>}{' '}
      {state !== 'not-remembered' && (
        <button type="button" disabled={busy} onClick={() => void forget()}>
          Forget
        </button>
      )}{' '}
      {view.kind === 'available' && state !== 'remembered' && !asking && (
        <button type="button" disabled={busy} onClick={() => setAsking(true)}>
          Remember…
        </button>
      )}
      {asking && (
        <form
          className="inline-form"
          onSubmit={(event) => void remember(event)}
          aria-label={`Remember the password of ${label}`}
        >
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
            Check and remember
          </button>
          <button type="button" disabled={busy} onClick={() => setAsking(false)}>
            Cancel
          </button>
        </form>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </li>
  );
}
