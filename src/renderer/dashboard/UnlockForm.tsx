/**
 * Unlocks a locked repository with its password (`repo.unlock`). In the desktop app it also offers
 * "Remember the password on this computer": then main unlocks with the password and keeps it
 * sealed by the keychain only if that worked (the desktop bridge, never the engine contract). A
 * remembered password the repository refused at start is kept and marked here. Sent here (the
 * tray's "Unlock …", `?screen=unlock&repo=<id>`: a hand-off with `focus: 'unlock'` for this
 * repository), it scrolls into view with the cursor in the password field.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { RememberChoice } from '../api/RememberChoice.js';
import { rememberPassword, useVault } from '../api/vault.js';
import { useApp } from '../storeContext.js';

export function UnlockForm({ repositoryId, label }: { repositoryId: string; label: string }) {
  const unlock = useApp((state) => state.unlock);
  const loadStatus = useApp((state) => state.loadStatus);
  const vault = useVault();
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const inputId = useId();
  const input = useRef<HTMLInputElement>(null);
  const handoff = useApp((state) => state.handoff);
  const sentHere = handoff?.focus === 'unlock' && handoff.repositoryId === repositoryId ? handoff : null;
  useEffect(() => {
    // A second "Unlock …" from the tray is a new hand-off: the cursor comes back here.
    if (!sentHere) return;
    input.current?.scrollIntoView({ block: 'center' });
    input.current?.focus();
  }, [sentHere]);
  const stale = !!vault.view && vault.view.kind !== 'absent' && vault.view.stale.includes(repositoryId);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (remember && vault.view?.kind === 'available') {
        try {
          await rememberPassword(repositoryId, password);
        } finally {
          // Unlocked by main (also when only keeping the password failed): show it.
          await loadStatus();
          vault.reload();
        }
      } else {
        await unlock({ repositoryId, password });
      }
      setPassword('');
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)} aria-label={`Unlock ${label}`}>
      {stale && (
        <p className="error-text">
          The password remembered on this computer no longer opens {label} (it was changed elsewhere). Unlock with the
          new one and tick “Remember” to replace it, or forget it in Settings.
        </p>
      )}
      <label htmlFor={inputId}>Password for {label}</label>
      <input
        ref={input}
        id={inputId}
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <RememberChoice view={vault.view} checked={remember} onChange={setRemember} disabled={busy} />
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
