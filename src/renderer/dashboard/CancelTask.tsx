/**
 * "Cancel" for a running backup, restore, check or clean-up (`tasks.cancel`); the task then shows
 * as stopping, and as stopped once it has. Used by the Dashboard's activity and the restore wizard.
 */
import { useState } from 'react';
import { isActive, type TaskData } from '../store.js';
import { useApp } from '../storeContext.js';

const CANCELLABLE: ReadonlySet<TaskData['kind']> = new Set(['backup', 'restore', 'check', 'forget']);

export function CancelTask({ task, title }: { task: TaskData; title: string }) {
  const request = useApp((state) => state.request);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (!CANCELLABLE.has(task.kind) || !isActive(task)) return null;
  const stopping = task.status === 'cancelling';

  async function cancel() {
    setBusy(true);
    setError(null);
    try {
      await request('tasks.cancel', { id: task.id });
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        aria-label={`Cancel ${title}`}
        disabled={busy || stopping}
        aria-busy={busy}
        onClick={() => void cancel()}
      >
        {stopping ? 'Stopping…' : 'Cancel'}
      </button>
      {error && (
        <p className="error-text" role="alert">
          Could not cancel: {error}
        </p>
      )}
    </>
  );
}
