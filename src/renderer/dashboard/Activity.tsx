/**
 * Running tasks with live progress (files, bytes, speed, time left; while a first backup counts
 * its folders, what it counted so far) from `task.updated` events, a Cancel button for running
 * backups, restores, checks and clean-ups, and the outcome of the last few finished ones.
 */

import { formatRate } from '../../contract/units.js';
import { type AppStatusData, isActive, type TaskData } from '../store.js';
import { useApp } from '../storeContext.js';
import { CancelTask } from './CancelTask.js';
import { progressFacts } from './progress-facts.js';

const KIND_NAMES: Record<TaskData['kind'], string> = {
  backup: 'Backup',
  restore: 'Restore',
  check: 'Check',
  forget: 'Clean-up',
  erase: 'Erasure',
  repair: 'Repair',
};

const STATUS_NAMES: Record<TaskData['status'], string> = {
  queued: 'Waiting to start',
  running: 'Running',
  cancelling: 'Stopping',
  cancelled: 'Cancelled',
  succeeded: 'Finished',
  failed: 'Failed',
};

const RECENT_FINISHED = 3;

function TaskItem({ task, repositoryLabel }: { task: TaskData; repositoryLabel: string | null }) {
  const progress = task.progress;
  const facts = progress ? progressFacts(progress) : null;
  const title = `${KIND_NAMES[task.kind]}${repositoryLabel ? ` of ${repositoryLabel}` : ''}`;
  return (
    <li className={`task task-${task.status}`}>
      <p className="task-title">
        <strong>{title}</strong> <span className="badge">{STATUS_NAMES[task.status]}</span>{' '}
        <CancelTask task={task} title={title} />
      </p>
      {progress && facts && isActive(task) && (
        <>
          {facts.bar && <progress value={facts.bar.value} max={facts.bar.max} aria-label={`${title} progress`} />}
          <dl className="progress-facts">
            <dt>Files</dt>
            <dd>{facts.files}</dd>
            <dt>Data</dt>
            <dd>{facts.data}</dd>
            <dt>Speed</dt>
            <dd>{progress.bytesPerSecond ? formatRate(progress.bytesPerSecond) : 'measuring…'}</dd>
            <dt>Time left</dt>
            <dd>{facts.timeLeft}</dd>
          </dl>
          {progress.currentPath && <p className="muted path">{progress.currentPath}</p>}
        </>
      )}
      {task.status === 'succeeded' && task.messages.length > 0 && <p className="muted">{task.messages.at(-1)}</p>}
      {task.status === 'failed' && task.error && <p className="error-text">{task.error}</p>}
    </li>
  );
}

export function Activity({ repositories }: { repositories: AppStatusData['repositories'] }) {
  const tasks = useApp((state) => state.tasks);
  const all = Object.values(tasks).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const active = all.filter(isActive);
  const finished = all.filter((task) => !isActive(task)).slice(0, RECENT_FINISHED);
  const labelOf = (id: string | null) => repositories.find((repo) => repo.id === id)?.label ?? null;

  return (
    <section className="panel" aria-labelledby="activity-heading">
      <h2 id="activity-heading">Activity</h2>
      {active.length === 0 && <p className="muted">Nothing is running.</p>}
      {active.length + finished.length > 0 && (
        <ul className="tasks" aria-live="polite">
          {[...active, ...finished].map((task) => (
            <TaskItem key={task.id} task={task} repositoryLabel={labelOf(task.repositoryId)} />
          ))}
        </ul>
      )}
    </section>
  );
}
