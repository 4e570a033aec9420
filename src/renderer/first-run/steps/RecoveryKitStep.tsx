/**
 * First run's recovery kit step (new repositories only): makes the recovery key, shows the kit
 * once, and asks the person to confirm that they kept it.
 */
import { useId, useState } from 'react';
import { RecoveryKit } from '../../common/RecoveryKit.js';
import { useApp } from '../../storeContext.js';
import type { StepProps } from '../setup.js';

export function RecoveryKitStep({ setup, update }: StepProps) {
  const request = useApp((state) => state.request);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function make() {
    if (!setup.repository) return;
    setBusy(true);
    setError(null);
    try {
      update({ kit: await request('keys.createRecoveryKey', { repositoryId: setup.repository.id }) });
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!setup.kit) {
    return (
      <div>
        <p>
          A recovery key opens the repository if the password is forgotten. Cairn shows it once, on a page you can
          print.
        </p>
        <button type="button" className="primary" onClick={() => void make()} disabled={busy} aria-busy={busy}>
          Make the recovery kit
        </button>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </div>
    );
  }
  return (
    <div>
      <RecoveryKit kit={setup.kit} region={setup.region} />
      <p className="confirm-row">
        <input
          id={`${id}-saved`}
          type="checkbox"
          checked={setup.kitSaved}
          onChange={(event) => update({ kitSaved: event.target.checked })}
        />
        <label htmlFor={`${id}-saved`}>I printed or wrote down the recovery key</label>
      </p>
    </div>
  );
}
