/** The running restore (from `task.updated` events) and its summary when it ends. */

import { CancelTask } from '../dashboard/CancelTask.js';
import { formatBytes, formatEta } from '../format.js';
import { isActive } from '../store.js';
import { useApp } from '../storeContext.js';

export function Progress({ taskId, onAgain }: { taskId: string; onAgain: () => void }) {
  const task = useApp((state) => state.tasks[taskId]);
  if (!task) {
    return (
      <p className="muted" role="status">
        Starting the restore…
      </p>
    );
  }
  const progress = task.progress;
  if (isActive(task)) {
    return (
      <div role="status">
        <p>
          {task.status === 'cancelling' ? 'Stopping the restore…' : 'Restoring…'}{' '}
          <CancelTask task={task} title="the restore" />
        </p>
        {progress && progress.totalBytes !== null && progress.totalBytes > 0 && (
          <progress value={progress.bytes} max={progress.totalBytes} aria-label="Restore progress" />
        )}
        {progress && (
          <p className="muted">
            {progress.files.toLocaleString()} files, {formatBytes(progress.bytes)}
            {progress.etaSeconds !== null && ` · ${formatEta(progress.etaSeconds)}`}
          </p>
        )}
      </div>
    );
  }
  const r = (task.result ?? {}) as Record<string, unknown>;
  const n = (key: string) => (typeof r[key] === 'number' ? (r[key] as number) : 0);
  return (
    <section className="restore-summary" aria-labelledby="restore-summary-heading">
      <h3 id="restore-summary-heading">
        {task.status === 'succeeded'
          ? 'Restore finished'
          : task.status === 'cancelled'
            ? 'Restore cancelled'
            : 'Restore failed'}
      </h3>
      {task.error && (
        <p className="error-text" role="alert">
          {task.error}
        </p>
      )}
      <dl className="kit-facts">
        <dt>Files restored</dt>
        <dd>{n('filesRestored').toLocaleString()}</dd>
        <dt>Data written</dt>
        <dd>{formatBytes(n('bytesRestored'))}</dd>
        <dt>Existing files met</dt>
        <dd>{n('conflicts')}</dd>
        {typeof r.target === 'string' && (
          <>
            <dt>Restored into</dt>
            <dd className="path">{r.target === '/' ? 'the original place' : r.target}</dd>
          </>
        )}
      </dl>
      {task.messages.length > 0 && (
        <ul className="muted">
          {task.messages.slice(-10).map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      <button type="button" onClick={onAgain}>
        Restore something else
      </button>
    </section>
  );
}
