/**
 * The wizard's file step: everything, or files and folders selected anywhere in the recovery
 * point (the selection is kept while moving between folders and listed below).
 */
import { useId, useState } from 'react';
import { EntryIcon } from '../common/icons.js';
import { Loadable } from '../common/Loadable.js';
import { formatBytes } from '../format.js';
import { type Point, pointName } from '../recovery-points/points.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import type { RestoreChoice } from './Restore.js';

export function FilePicker({
  repositoryId,
  point,
  choice,
  update,
}: {
  repositoryId: string;
  point: Point;
  choice: RestoreChoice;
  update: (c: Partial<RestoreChoice>) => void;
}) {
  const request = useApp((state) => state.request);
  const [path, setPath] = useState(() => (point.paths.length === 1 && point.paths[0] ? point.paths[0] : '/'));
  const folder = useRequest(
    choice.everything ? null : () => request('snapshots.browse', { repositoryId, snapshotId: point.id, path }),
    [choice.everything, repositoryId, point.id, path],
  );
  const mode = useId();
  const parent = path === '/' ? null : path.replace(/\/[^/]+$/, '') || '/';
  const selected = new Set(choice.paths);
  const toggle = (p: string, on: boolean) =>
    update({ paths: on ? [...choice.paths, p].sort() : choice.paths.filter((x) => x !== p) });

  return (
    <div>
      <p className="muted">From {pointName(point)}</p>
      <fieldset className="choice">
        <legend>What to restore</legend>
        <ul className="choice-list">
          <li>
            <label>
              <input
                type="radio"
                name={mode}
                checked={choice.everything}
                onChange={() => update({ everything: true })}
              />
              Everything in this recovery point
            </label>
          </li>
          <li>
            <label>
              <input
                type="radio"
                name={mode}
                checked={!choice.everything}
                onChange={() => update({ everything: false })}
              />
              Only the files and folders I select
            </label>
          </li>
        </ul>
      </fieldset>
      {!choice.everything && (
        <>
          <div className="button-row">
            <button type="button" disabled={!parent} onClick={() => parent && setPath(parent)}>
              Up one level
            </button>
          </div>
          <p className="path" aria-live="polite">
            {path}
          </p>
          <Loadable request={folder} what="the folder">
            {(entries) =>
              entries.length === 0 ? (
                <p className="muted">This folder is empty.</p>
              ) : (
                <ul className="pick-list" aria-label={`Contents of ${path}`}>
                  {entries.map((entry) => (
                    <li key={entry.path}>
                      <input
                        type="checkbox"
                        id={`pick-${entry.path}`}
                        aria-label={`Select ${entry.name}`}
                        checked={selected.has(entry.path)}
                        onChange={(event) => toggle(entry.path, event.target.checked)}
                      />
                      <label htmlFor={`pick-${entry.path}`}>
                        <EntryIcon type={entry.type} /> {entry.name}
                      </label>
                      {entry.size !== null && <span className="muted">{formatBytes(entry.size)}</span>}
                      {entry.type === 'dir' && (
                        <button type="button" aria-label={`Open ${entry.name}`} onClick={() => setPath(entry.path)}>
                          Open
                        </button>
                      )}
                    </li>
                  ))}
                </ul>
              )
            }
          </Loadable>
          <h3>Selected ({choice.paths.length})</h3>
          {choice.paths.length === 0 ? (
            <p className="muted">Nothing selected yet.</p>
          ) : (
            <ul className="selected-list" aria-label="Selected files and folders">
              {choice.paths.map((p) => (
                <li key={p}>
                  <span className="path">{p}</span>
                  <button type="button" aria-label={`Unselect ${p}`} onClick={() => toggle(p, false)}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </div>
  );
}
