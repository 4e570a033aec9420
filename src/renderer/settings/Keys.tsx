/**
 * A repository's key slots: list, add a password, change the password, remove one, new recovery
 * kit. In the desktop app a changed password also replaces the one remembered on this computer
 * (main does it after the change succeeded); the notice says so, or why it could not.
 */
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { passwordChangeNotice, vaultChanged } from '../api/vault.js';
import { Loadable } from '../common/Loadable.js';
import { RecoveryKit } from '../common/RecoveryKit.js';
import { usePasswordStrength } from '../first-run/strength.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { formatDateTime } from '../when.js';

export function Keys({ repositoryId }: { repositoryId: string }) {
  const call = useApp((state) => state.request);
  const region = useApp((state) => state.status?.repositories.find((r) => r.id === repositoryId)?.region);
  const slots = useRequest(() => call('keys.list', { repositoryId }), [repositoryId]);
  const { reload } = slots;
  const [kit, setKit] = useState<Result<'keys.createRecoveryKey'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  async function remove(slotId: string, label: string) {
    const question = `Remove the key slot “${label}”? It will no longer open the repository. Copies of the repository made before (backups, snapshots, a sync tool's history) still open with it.`;
    if (!window.confirm(question)) return;
    setError(null);
    try {
      await call('keys.remove', { repositoryId, slotId });
      setNotice(`Removed “${label}”.`);
      reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  }

  async function newKit() {
    setError(null);
    try {
      setKit(await call('keys.createRecoveryKey', { repositoryId }));
      setNotice('A new recovery key was made; the previous one no longer works.');
      reload();
    } catch (failure) {
      setError((failure as Error).message);
    }
  }

  return (
    <div className="keys">
      <Loadable request={slots} what="the key slots">
        {(list) => (
          <table className="data-table" aria-label="Key slots">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((slot) => (
                <tr key={slot.id}>
                  <td>
                    {slot.recoveryKey ? 'Recovery key' : slot.label}{' '}
                    {slot.current && <span className="badge badge-ok">used now</span>}
                    {slot.damaged && <span className="badge badge-warn">damaged</span>}
                  </td>
                  <td>{slot.created ? formatDateTime(slot.created) : '—'}</td>
                  <td>
                    {!slot.current && (
                      <button
                        type="button"
                        aria-label={`Remove ${slot.label}`}
                        onClick={() => void remove(slot.id, slot.label)}
                      >
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loadable>
      {notice && (
        <p className="success-text" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <PasswordForm
        title="Change password"
        submit="Change password"
        withLabel={false}
        onSubmit={async (password) => {
          const changed = await call('keys.changePassword', { repositoryId, newPassword: password });
          const told = passwordChangeNotice(changed);
          setNotice(told.problem ? null : told.text);
          setError(told.problem ? told.text : null);
          vaultChanged();
          reload();
        }}
      />
      <PasswordForm
        title="Add a password"
        submit="Add password"
        withLabel
        onSubmit={async (password, label) => {
          await call('keys.add', { repositoryId, password, label });
          setNotice(`Added the password “${label}”.`);
          reload();
        }}
      />
      <div className="key-section">
        <h3>Recovery kit</h3>
        <p>
          Make a new recovery key if the kit was lost. The previous recovery key stops working, except on copies of the
          repository made before (backups, snapshots, a sync tool's history).
        </p>
        <button type="button" onClick={() => void newKit()}>
          Make a new recovery kit
        </button>
        {kit && <RecoveryKit kit={kit} region={region} />}
      </div>
    </div>
  );
}

function PasswordForm({
  title,
  submit,
  withLabel,
  onSubmit,
}: {
  title: string;
  submit: string;
  withLabel: boolean;
  onSubmit: (password: string, label: string) => Promise<void>;
}) {
  const id = useId();
  const [label, setLabel] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const strength = usePasswordStrength(password);
  const mismatch = confirmation !== '' && confirmation !== password;

  async function send(event: FormEvent) {
    event.preventDefault();
    if (password === '' || password !== confirmation || (withLabel && label.trim() === '')) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(password, label.trim());
      setPassword('');
      setConfirmation('');
      setLabel('');
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  let labelField: ReactNode = null;
  if (withLabel) {
    labelField = (
      <>
        <label htmlFor={`${id}-label`}>Name of the password</label>
        <input
          id={`${id}-label`}
          value={label}
          placeholder="Laptop"
          onChange={(event) => setLabel(event.target.value)}
        />
      </>
    );
  }
  return (
    <form className="form key-section" aria-labelledby={`${id}-heading`} onSubmit={(event) => void send(event)}>
      <h3 id={`${id}-heading`}>{title}</h3>
      {labelField}
      <label htmlFor={`${id}-password`}>New password</label>
      <input
        id={`${id}-password`}
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <div className="strength">
        <meter min={0} max={4} low={2} high={3} optimum={4} value={strength.score} aria-label={`${title}: strength`} />
        <span>Strength: {strength.label}</span>
      </div>
      <label htmlFor={`${id}-confirm`}>Confirm new password</label>
      <input
        id={`${id}-confirm`}
        type="password"
        autoComplete="new-password"
        value={confirmation}
        onChange={(event) => setConfirmation(event.target.value)}
      />
      {mismatch && <p className="error-text">The two passwords are not the same.</p>}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button
          type="submit"
          disabled={busy || password === '' || password !== confirmation || (withLabel && label.trim() === '')}
          aria-busy={busy}
        >
          {submit}
        </button>
      </div>
    </form>
  );
}
