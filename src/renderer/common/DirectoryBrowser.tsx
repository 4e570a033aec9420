/**
 * The browser version's folder picker: walks this computer's folders through 'fs.list' (the
 * engine lists them; the page never touches the disk). Enter a folder by activating it; "Choose
 * this folder" picks the folder shown.
 */
import { useId, useState } from 'react';
import { useApp } from '../storeContext.js';
import { useAsync } from '../useAsync.js';
import { LoadFailed, Loading } from './States.js';

export function DirectoryBrowser({
  start,
  onChoose,
  onCancel,
}: {
  start?: string | undefined;
  onChoose: (path: string) => void;
  onCancel: () => void;
}) {
  const call = useApp((state) => state.call);
  const [path, setPath] = useState(start ?? '');
  const { result, reload } = useAsync(() => call('fs.list', { path }), [path]);
  const headingId = useId();
  const listing = result?.state === 'ready' ? result.value : null;
  const folders = listing?.entries.filter((e) => e.type === 'dir') ?? [];

  return (
    <section className="directory-browser panel" aria-labelledby={headingId}>
      <h3 id={headingId}>Choose a folder</h3>
      <p className="path" aria-live="polite">
        {listing?.path ?? path}
      </p>
      <div className="button-row">
        <button type="button" disabled={!listing?.parent} onClick={() => listing?.parent && setPath(listing.parent)}>
          Up one level
        </button>
        <button type="button" disabled={!listing} onClick={() => listing && setPath(listing.home)}>
          Home folder
        </button>
      </div>
      {result?.state === 'loading' && <Loading what="the folder" />}
      {result?.state === 'error' && <LoadFailed what="this folder" message={result.message} retry={reload} />}
      {listing && folders.length === 0 && <p className="muted">This folder has no sub-folders.</p>}
      {listing && folders.length > 0 && (
        <ul className="folder-list" aria-label={`Folders in ${listing.path}`}>
          {folders.map((f) => (
            <li key={f.path}>
              <button type="button" className="link-button" onClick={() => setPath(f.path)}>
                📁 {f.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      {listing?.truncated && <p className="muted">Only the first folders are shown.</p>}
      <div className="button-row">
        <button type="button" className="primary" disabled={!listing} onClick={() => listing && onChoose(listing.path)}>
          Choose this folder
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
