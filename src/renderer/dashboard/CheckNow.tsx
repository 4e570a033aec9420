/**
 * "Check now" for an unlocked repository: "Check structure" (indexes, recovery points, trees) or
 * "Check structure and read all data" (every pack read and verified), as a `check.start` task with
 * live progress from `task.updated` events and its outcome. The status card's "Check …" action
 * brings it into view (a hand-off with `focus: 'check'`).
 */
import { useEffect, useRef, useState } from 'react';
import { formatBytes, formatEta } from '../format.js';
import { isActive } from '../store.js';
import { useApp } from '../storeContext.js';
import { CancelTask } from './CancelTask.js';

function CheckOutcome({ taskId, label }: { taskId: string; label: string }) {
  const task = useApp((state) => state.tasks[taskId]);
  if (!task) return <p className="muted">Starting the check…</p>;
  const title = `the check of ${label}`;
  if (isActive(task)) {
    const progress = task.progress;
    return (
      <div className="check-progress">
        <p>
          {task.status === 'cancelling' ? 'Stopping the check…' : 'Checking…'} <CancelTask task={task} title={title} />
        </p>
        {progress && progress.totalBytes !== null && progress.totalBytes > 0 && (
          <progress value={progress.bytes} max={progress.totalBytes} aria-label={`Check of ${label} progress`} />
        )}
        {progress && (
          <p className="muted">
            {formatBytes(progress.bytes)}
            {progress.totalBytes !== null && ` of ${formatBytes(progress.totalBytes)}`}
            {progress.etaSeconds !== null && ` · ${formatEta(progress.etaSeconds)}`}
          </p>
        )}
      </div>
    );
  }
  const r = (task.result ?? {}) as Record<string, unknown>;
  const count = (key: string) => (typeof r[key] === 'number' ? (r[key] as number) : 0);
  if (task.status === 'succeeded') {
    return (
      <p className="check-outcome ok-text" role="status">
        No problems found: {count('snapshots')} recovery points, {count('packs')} packs
        {count('packsRead') > 0 ? `, ${count('packsRead')} read (${formatBytes(count('bytesRead'))})` : ''}.
      </p>
    );
  }
  if (task.status === 'cancelled') {
    return (
      <p className="check-outcome muted" role="status">
        Check cancelled.
      </p>
    );
  }
  return (
    <div className="check-outcome" role="alert">
      <p className="error-text">Check failed: {task.error ?? 'unknown reason'}</p>
      {task.messages.length > 0 && (
        <ul className="muted">
          {task.messages.slice(-10).map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function CheckNow({ repositoryId, label }: { repositoryId: string; label: string }) {
  const request = useApp((state) => state.request);
  const [taskId, setTaskId] = useState<string | null>(null);
  const current = useApp((state) => (taskId ? state.tasks[taskId] : undefined));
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const busy = starting || (current !== undefined && isActive(current));
  // Sent here by the status card's "Check …": the buttons come into view with the first focused.
  const handoff = useApp((state) => state.handoff);
  const sentHere = handoff?.focus === 'check' && handoff.repositoryId === repositoryId ? handoff : null;
  const first = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (!sentHere) return;
    first.current?.scrollIntoView({ block: 'center' });
    first.current?.focus();
  }, [sentHere]);

  async function start(readData: boolean) {
    setStarting(true);
    setError(null);
    try {
      const { taskId: id } = await request('check.start', { repositoryId, readData });
      setTaskId(id);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setStarting(false);
    }
  }

  return (
    <section className="check-now" aria-label={`Check ${label}`}>
      <div className="button-row">
        <button type="button" ref={first} disabled={busy} onClick={() => void start(false)}>
          Check structure
        </button>
        <button type="button" disabled={busy} onClick={() => void start(true)}>
          Check structure and read all data
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          The check could not start: {error}
        </p>
      )}
      {taskId && <CheckOutcome taskId={taskId} label={label} />}
    </section>
  );
}
