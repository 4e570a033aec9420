/**
 * "Remove from Cairn": forgets a repository in this app (`repo.remove`) after a confirmation that
 * says, in plain words, that its backed-up data stays where it is and can be connected again. In
 * the desktop app it also says that the password and storage sign-in details kept on this computer
 * for it are forgotten: main does that after the removal succeeded (its desktop follow-up).
 */
import { useState } from 'react';
import { useVault, vaultChanged } from '../api/vault.js';
import { useApp } from '../storeContext.js';

export function RemoveRepository({
  repositoryId,
  label,
  location,
}: {
  repositoryId: string;
  label: string;
  location: string;
}) {
  const request = useApp((state) => state.request);
  const loadStatus = useApp((state) => state.loadStatus);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function remove() {
    setBusy(true);
    setError(null);
    try {
      await request('repo.remove', { repositoryId });
      vaultChanged();
      await loadStatus();
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  }

  if (!confirming) {
    return (
      <button type="button" onClick={() => setConfirming(true)}>
        Remove from Cairn…
      </button>
    );
  }
  const headingId = `remove-${repositoryId}`;
  return (
    <div className="panel confirm" role="alertdialog" aria-labelledby={headingId}>
      <h4 id={headingId}>Remove {label} from Cairn?</h4>
      <p>
        Cairn stops backing up to {label} and forgets its folders and schedules on this computer.{' '}
        <strong>The backed-up data is not deleted</strong>: it stays where it is, at{' '}
        <span className="path">{location}</span>. You can connect it again later with its password.
      </p>
      <ForgetsKeptSecrets label={label} />
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="button" className="danger" disabled={busy} aria-busy={busy} onClick={() => void remove()}>
          Remove from Cairn
        </button>
        <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
          Keep it
        </button>
      </div>
    </div>
  );
}

/** Desktop app only (it has the keychain vault): what else the removal forgets on this computer. */
function ForgetsKeptSecrets({ label }: { label: string }) {
  const { view } = useVault();
  if (!view || view.kind === 'absent') return null;
  return (
    <p>
      Cairn also forgets what it keeps for {label} on this computer: its remembered password and the sign-in details of
      its storage.
    </p>
  );
}
