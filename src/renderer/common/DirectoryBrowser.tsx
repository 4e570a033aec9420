/**
 * The browser version's folder picker: walks this computer's folders through 'fs.list' (the
 * engine lists them; the page never touches the disk). Enter a folder by activating it; "Choose
 * this folder" picks the folder shown.
 */
import { useId, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { FolderIcon } from './icons.js';
import { Loadable } from './Loadable.js';

export function DirectoryBrowser({
  start,
  onChoose,
  onCancel,
}: {
  start?: string | undefined;
  onChoose: (path: string) => void;
  onCancel: () => void;
}) {
  const request = useApp((state) => state.request);
  const [path, setPath] = useState(start ?? '');
  const shown = useRequest(() => request('fs.list', { path }), [path]);
  const headingId = useId();
  // The buttons act on the folder listed last; the list below follows the load.
  const listing = shown.data ?? null;

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
      <Loadable request={shown} what="this folder">
        {(folder) => <FolderList listing={folder} onOpen={setPath} />}
      </Loadable>
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

function FolderList({ listing, onOpen }: { listing: Result<'fs.list'>; onOpen: (path: string) => void }) {
  const folders = listing.entries.filter((e) => e.type === 'dir');
  return (
    <>
      {folders.length === 0 ? (
        <p className="muted">This folder has no sub-folders.</p>
      ) : (
        <ul className="folder-list" aria-label={`Folders in ${listing.path}`}>
          {folders.map((f) => (
            <li key={f.path}>
              <button type="button" className="link-button" onClick={() => onOpen(f.path)}>
                <FolderIcon /> {f.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      {listing.truncated && <p className="muted">Only the first folders are shown.</p>}
    </>
  );
}
