/**
 * Erase a file or folder from every recovery point (Art. 17): pick the repository and the
 * absolute path as it was backed up, preview what it touches (privacy.erasePreview, changes
 * nothing), choose whether to exclude it from future backups if it is still on this computer
 * (on by default), then run the 'erase' task (privacy.erasePath) with its progress and the
 * result (./EraseResult.tsx). The task history never names the path: this screen shows the path
 * it asked for.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { RepositoryPicker } from '../common/RepositoryPicker.js';
import { formatBytes } from '../format.js';
import { isActive } from '../store.js';
import { useApp } from '../storeContext.js';
import { EraseResult } from './EraseResult.js';

type Preview = Result<'privacy.erasePreview'>;

function EraseTask({ taskId, repositoryId, path }: { taskId: string; repositoryId: string; path: string }) {
  const task = useApp((state) => state.tasks[taskId]);
  const request = useApp((state) => state.request);
  const applyTask = useApp((state) => state.applyTask);
  const known = useRef(false);
  known.current = Boolean(task);
  // Its events show the progress; this fetch covers a task that ended before any event arrived.
  useEffect(() => {
    request('tasks.get', { id: taskId }).then(
      (fetched) => {
        if (!known.current) applyTask(fetched);
      },
      () => {
        // The events still arrive; "Starting…" stays until they do.
      },
    );
  }, [taskId, request, applyTask]);
  if (!task) {
    return (
      <p className="muted" role="status">
        Starting the erasure…
      </p>
    );
  }
  if (isActive(task)) {
    const progress = task.progress;
    const fraction = progress?.filesTotal ? progress.files / progress.filesTotal : null;
    return (
      <div role="status">
        <p>Erasing… {task.messages[task.messages.length - 1] ?? ''}</p>
        {fraction !== null && <progress value={fraction} max={1} aria-label="Erasure progress" />}
      </div>
    );
  }
  return (
    <section aria-labelledby={`${taskId}-done`} className="erase-result">
      <h3 id={`${taskId}-done`}>{task.status === 'succeeded' ? 'Erased' : 'The erasure did not finish'}</h3>
      {task.error && (
        <p className="error-text" role="alert">
          {task.error}
        </p>
      )}
      {task.status === 'succeeded' && (
        <EraseResult repositoryId={repositoryId} path={path} result={(task.result ?? {}) as Record<string, unknown>} />
      )}
    </section>
  );
}

function EraseIn({ repositoryId }: { repositoryId: string }) {
  const request = useApp((state) => state.request);
  const [path, setPath] = useState('');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [started, setStarted] = useState<{ taskId: string; path: string } | null>(null);
  const [exclude, setExclude] = useState(true);
  const id = useId();

  async function runPreview(event: FormEvent) {
    event.preventDefault();
    const wanted = path.trim();
    if (!/^([a-zA-Z]:[\\/]|\/)/.test(wanted)) {
      setError('Give the full path of the file or folder as it was backed up, for example /home/me/Documents/cv.pdf.');
      return;
    }
    setBusy(true);
    setError(null);
    setPreview(null);
    setStarted(null);
    try {
      setPreview(await request('privacy.erasePreview', { repositoryId, path: wanted }));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function erase() {
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      const task = await request('privacy.erasePath', {
        repositoryId,
        path: preview.path,
        excludeFromBackups: exclude,
      });
      setStarted({ taskId: task.taskId, path: preview.path });
      setPreview(null);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <form className="form" onSubmit={(event) => void runPreview(event)}>
        <label htmlFor={`${id}-path`}>File or folder to erase</label>
        <input
          id={`${id}-path`}
          value={path}
          onChange={(event) => {
            setPath(event.target.value);
            setPreview(null);
            setError(null);
          }}
          spellCheck={false}
          aria-describedby={`${id}-hint`}
        />
        <p id={`${id}-hint`} className="hint">
          The full path as it was backed up. You can find it on the Recovery points screen.
        </p>
        <div className="button-row">
          <button type="submit" disabled={busy}>
            Preview the erasure
          </button>
        </div>
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {preview && (
        <section className="panel confirm" aria-label="Erasure preview">
          {preview.recoveryPoints.length === 0 ? (
            <p>No recovery point holds {preview.path}: there is nothing to erase.</p>
          ) : (
            <>
              <p>
                <span className="path">{preview.path}</span> is in {preview.recoveryPoints.length} recovery point(s):{' '}
                {preview.files.toLocaleString()} file(s), {formatBytes(preview.bytes)}. Erasing it frees{' '}
                {formatBytes(preview.bytesToFree)} of storage.
                {preview.blobsSharedWithOtherFiles > 0 &&
                  ` ${preview.blobsSharedWithOtherFiles} piece(s) of its content also belong to other files and stay, as part of those files.`}
              </p>
              <p>
                This cannot be undone: the recovery points are rewritten without it and its data is deleted from the
                storage. A receipt is kept; Cairn's records name the path only by a keyed code.
              </p>
              <label className="check">
                <input
                  type="checkbox"
                  checked={exclude}
                  onChange={(event) => setExclude(event.target.checked)}
                  aria-describedby={`${id}-exclude-hint`}
                />
                If it is still on this computer, exclude it from future backups
              </label>
              <p id={`${id}-exclude-hint`} className="hint">
                Otherwise the next backup of a folder that holds it stores it again. The folder's exclude list then
                names it: your own setting, kept on this computer only.
              </p>
              <div className="button-row">
                <button type="button" className="danger" onClick={() => void erase()} disabled={busy}>
                  Erase from every recovery point
                </button>
                <button type="button" onClick={() => setPreview(null)} disabled={busy}>
                  Cancel
                </button>
              </div>
            </>
          )}
        </section>
      )}
      {started && <EraseTask taskId={started.taskId} repositoryId={repositoryId} path={started.path} />}
    </>
  );
}

export function ErasePath() {
  const id = useId();
  return (
    <section className="panel" id="privacy-erase-path" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Erase a file or folder from all recovery points</h2>
      <p>
        Removes a file or folder from every recovery point of a repository and deletes its data from the storage. It is
        also kept off older copies of the repository: if one is connected again, the erasure is applied again.
      </p>
      <RepositoryPicker>
        {(repositoryId) => <EraseIn key={repositoryId} repositoryId={repositoryId} />}
      </RepositoryPicker>
    </section>
  );
}
