/** Browsing one recovery point's folders ('snapshots.browse'), with a path bar and "Restore…". */
import { useState } from 'react';
import { EntryIcon, FolderIcon } from '../common/icons.js';
import { Loadable } from '../common/Loadable.js';
import { formatBytes } from '../format.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { formatDateTime } from '../when.js';
import { type Point, pointName } from './points.js';

function startOf(point: Point): string {
  // Start at the backed-up folder when there is one: the folders above it hold nothing else.
  return point.paths.length === 1 && point.paths[0] ? point.paths[0] : '/';
}

export function Browser({ repositoryId, point }: { repositoryId: string; point: Point }) {
  const request = useApp((state) => state.request);
  const navigate = useApp((state) => state.navigate);
  const [path, setPath] = useState(() => startOf(point));
  const folder = useRequest(
    () => request('snapshots.browse', { repositoryId, snapshotId: point.id, path }),
    [repositoryId, point.id, path],
  );
  const parent = path === '/' ? null : path.replace(/\/[^/]+$/, '') || '/';

  return (
    <section className="panel" aria-labelledby="browse-heading">
      <h2 id="browse-heading">Files in {pointName(point)}</h2>
      <div className="button-row">
        <button type="button" disabled={!parent} onClick={() => parent && setPath(parent)}>
          Up one level
        </button>
        <button type="button" onClick={() => navigate('restore', { repositoryId, snapshotId: point.id })}>
          Restore from this point…
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
            <table className="data-table" aria-label={`Contents of ${path}`}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="numeric">
                    Size
                  </th>
                  <th scope="col">Modified</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.path}>
                    <td>
                      {entry.type === 'dir' ? (
                        <button type="button" className="link-button" onClick={() => setPath(entry.path)}>
                          <FolderIcon /> {entry.name}
                        </button>
                      ) : (
                        <span>
                          <EntryIcon type={entry.type} /> {entry.name}
                        </span>
                      )}
                    </td>
                    <td className="numeric">{entry.size === null ? '' : formatBytes(entry.size)}</td>
                    <td>{formatDateTime(entry.mtime)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        }
      </Loadable>
    </section>
  );
}
