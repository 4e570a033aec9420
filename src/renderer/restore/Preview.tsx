/**
 * The conflict preview ('restore.preview'): which files would be new, overwritten, skipped or
 * kept both, before anything is written; "Restore" then starts the restore with the same request.
 */
import { useState } from 'react';
import type { Params, Result } from '../../contract/methods.js';
import { failureMessage } from '../common/failure.js';
import { Loadable } from '../common/Loadable.js';
import { formatBytes } from '../format.js';
import { type Point, pointName } from '../recovery-points/points.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';

const ACTION_NAMES = { new: 'New', overwrite: 'Overwritten', skip: 'Skipped', 'keep-both': 'Kept both' } as const;

export function Preview({
  request,
  point,
  onStarted,
}: {
  request: Params<'restore.start'>;
  point: Point;
  onStarted: (taskId: string) => void;
}) {
  const send = useApp((state) => state.request);
  const preview = useRequest(() => send('restore.preview', request), [JSON.stringify(request)]);
  return (
    <Loadable request={preview} what="what the restore would do">
      {(p) => <Plan p={p} request={request} point={point} onStarted={onStarted} />}
    </Loadable>
  );
}

function Plan({
  p,
  request,
  point,
  onStarted,
}: {
  p: Result<'restore.preview'>;
  request: Params<'restore.start'>;
  point: Point;
  onStarted: (taskId: string) => void;
}) {
  const send = useApp((state) => state.request);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const { taskId } = await send('restore.start', request);
      onStarted(taskId);
    } catch (failure) {
      setError(failureMessage(failure, 'restore it'));
      setBusy(false);
    }
  }

  const total = p.counts.new + p.counts.overwrite + p.counts.skip + p.counts.keepBoth;
  return (
    <div className="restore-preview">
      <p>
        From {pointName(point)} to <span className="path">{p.target === '/' ? 'the original place' : p.target}</span>:
      </p>
      <ul className="preview-counts" aria-label="Summary of the restore">
        <li>{p.counts.new} new</li>
        <li>{p.counts.overwrite} overwritten</li>
        <li>{p.counts.skip} skipped</li>
        <li>{p.counts.keepBoth} kept both</li>
        <li>{formatBytes(p.bytes)} to write</li>
      </ul>
      {(p.refused.length > 0 || p.errors.length > 0) && (
        <div className="panel panel-error" role="alert">
          <p>Some entries cannot be restored:</p>
          <ul>
            {[...p.refused.map((r) => `${r.path}: ${r.reason}`), ...p.errors.map((e) => `${e.path}: ${e.message}`)].map(
              (text) => (
                <li key={text}>{text}</li>
              ),
            )}
          </ul>
        </div>
      )}
      {total === 0 ? (
        <p className="muted">There are no files to restore in this selection.</p>
      ) : (
        <table className="data-table" aria-label="What happens to each file">
          <thead>
            <tr>
              <th scope="col">What happens</th>
              <th scope="col">File</th>
              <th scope="col">Written to</th>
            </tr>
          </thead>
          <tbody>
            {p.items.map((item) => (
              <tr key={item.path}>
                <td>
                  <span className={`badge action-${item.action}`}>{ACTION_NAMES[item.action]}</span>
                </td>
                <td className="path">{item.path}</td>
                <td className="path">{item.action === 'skip' ? '—' : item.destination}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.truncated && <p className="muted">Only the first {p.items.length} files are listed; the counts cover all.</p>}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="wizard-actions">
        <button
          type="button"
          className="primary"
          disabled={busy || total === p.counts.skip}
          aria-busy={busy}
          onClick={() => void start()}
        >
          Restore
        </button>
        {total > 0 && total === p.counts.skip && <span className="muted">Every file would be skipped.</span>}
      </div>
    </div>
  );
}
