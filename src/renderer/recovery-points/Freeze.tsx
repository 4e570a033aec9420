/**
 * Freezing a recovery point (GDPR Art. 18, restriction): snapshots.freeze with a reason, and
 * snapshots.unfreeze. A frozen point cannot be browsed, restored, compared or exported, and
 * retention keeps it until it is unfrozen.
 */
import { type FormEvent, useId, useState } from 'react';
import { useApp } from '../storeContext.js';
import { type Point, pointName } from './points.js';

export function FreezeControl({
  repositoryId,
  point,
  onChanged,
}: {
  repositoryId: string;
  point: Point;
  onChanged: () => void;
}) {
  const request = useApp((state) => state.request);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const name = pointName(point);

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
      setAsking(false);
      setReason('');
      onChanged();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  function freeze(event: FormEvent) {
    event.preventDefault();
    void run(() => request('snapshots.freeze', { repositoryId, snapshotId: point.id, reason: reason.trim() }));
  }

  return (
    <>
      {point.frozen ? (
        <button
          type="button"
          disabled={busy}
          aria-label={`Unfreeze ${name}`}
          onClick={() => void run(() => request('snapshots.unfreeze', { repositoryId, snapshotId: point.id }))}
        >
          Unfreeze
        </button>
      ) : asking ? (
        <form className="freeze-form" onSubmit={freeze} aria-label={`Freeze ${name}`}>
          <label htmlFor={`${id}-reason`}>Reason</label>
          <input
            id={`${id}-reason`}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            placeholder="e.g. accuracy contested"
          />
          <button type="submit" disabled={busy}>
            Freeze
          </button>
          <button type="button" onClick={() => setAsking(false)} disabled={busy}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" aria-label={`Freeze ${name}…`} onClick={() => setAsking(true)}>
          Freeze…
        </button>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
