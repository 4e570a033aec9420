/**
 * Settings → Storage: per repository (locked ones too, since a locked remote repository may need
 * its password before it can be unlocked), where it is stored, how Cairn signs in to an SFTP
 * server or an S3 bucket (the secrets typed here replace the held ones; their values are never
 * shown), and the transfer limits: upload and download KiB/s and how many connections at once.
 * Saved with `repo.setStorageSettings`; they apply the next time the storage is opened.
 */
import { type ReactNode, useId, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { CredentialsNote } from '../common/CredentialsNote.js';
import { Loadable } from '../common/Loadable.js';
import { STORAGE_KIND_NAMES } from '../format.js';
import { useApp, useAppStatus } from '../storeContext.js';
import '../common/storage.css';
import { useRequest } from '../useRequest.js';
import { SignInFields } from './SignInFields.js';
import { editorFrom, editorParams, editorProblem, type StorageEditor, type StoredStorage } from './storage-editor.js';

export function StorageSettings() {
  const appStatus = useAppStatus();
  const [chosen, setChosen] = useState<string | undefined>();
  const selectId = useId();
  return (
    <section className="panel" aria-labelledby="storage-heading">
      <h2 id="storage-heading">Storage</h2>
      <Loadable request={appStatus} what="the repositories">
        {(status) => {
          const repos = status.repositories;
          const repo = repos.find((r) => r.id === chosen) ?? repos[0];
          if (!repo) return <p className="muted">No repository yet.</p>;
          return (
            <>
              {repos.length > 1 && (
                <div className="picker-row">
                  <label htmlFor={selectId}>Repository</label>
                  <select id={selectId} value={repo.id} onChange={(event) => setChosen(event.target.value)}>
                    {repos.map((r) => (
                      <option key={r.id} value={r.id}>
                        {r.label}
                      </option>
                    ))}
                  </select>
                </div>
              )}
              <RepositoryStorage key={repo.id} repositoryId={repo.id} />
            </>
          );
        }}
      </Loadable>
    </section>
  );
}

function RepositoryStorage({ repositoryId }: { repositoryId: string }) {
  const request = useApp((state) => state.request);
  const stored = useRequest(() => request('repo.storageSettings', { repositoryId }), [repositoryId]);
  // Kept here: the form starts afresh from what was saved, the notice stays.
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <>
      <Loadable request={stored} what="the storage settings">
        {(data) => (
          <Editor
            key={JSON.stringify(data)}
            stored={data}
            saved={(message) => {
              setNotice(message);
              stored.reload();
            }}
            editing={() => setNotice(null)}
          />
        )}
      </Loadable>
      {notice && (
        <p className="success-text" role="status">
          {notice}
        </p>
      )}
    </>
  );
}

function Editor({
  stored,
  saved,
  editing,
}: {
  stored: StoredStorage;
  saved: (notice: string) => void;
  editing: () => void;
}) {
  const request = useApp((state) => state.request);
  const [editor, setEditor] = useState<StorageEditor>(() => editorFrom(stored));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();
  const set = (change: Partial<StorageEditor>) => {
    editing();
    setEditor((e) => ({ ...e, ...change }));
  };

  if (stored.kind === 'local') {
    return (
      <Facts stored={stored}>
        <p className="hint">A folder needs no connection settings; transfer limits apply to SFTP and S3 storage.</p>
      </Facts>
    );
  }

  async function save() {
    const problem = editorProblem(stored, editor);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const params = editorParams(stored, editor);
      const result: Result<'repo.setStorageSettings'> & { credentialsKept?: { kept: boolean; reason?: string } } =
        await request('repo.setStorageSettings', params);
      const kept = result.credentialsKept;
      setBusy(false);
      saved(
        `Saved. Cairn uses the new settings the next time it opens this storage (lock and unlock the repository to use them now).${
          kept && !kept.kept ? ` The password or keys are held for this session only: ${kept.reason ?? ''}` : ''
        }`,
      );
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  }

  return (
    <Facts stored={stored}>
      <form
        className="form"
        aria-label="Storage settings"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <SignInFields stored={stored} editor={editor} set={set} />
        <CredentialsNote />
        <h3 className="key-section">Transfer limits</h3>
        <p className="hint">Leave a field empty for no limit.</p>
        <label htmlFor={`${id}-up`}>Upload limit (KiB/s)</label>
        <input
          id={`${id}-up`}
          inputMode="numeric"
          value={editor.uploadKiBps}
          onChange={(event) => set({ uploadKiBps: event.target.value })}
        />
        <label htmlFor={`${id}-down`}>Download limit (KiB/s)</label>
        <input
          id={`${id}-down`}
          inputMode="numeric"
          value={editor.downloadKiBps}
          onChange={(event) => set({ downloadKiBps: event.target.value })}
        />
        <label htmlFor={`${id}-connections`}>Connections at once</label>
        <input
          id={`${id}-connections`}
          inputMode="numeric"
          value={editor.connections}
          placeholder="4"
          onChange={(event) => set({ connections: event.target.value })}
        />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            Save storage settings
          </button>
        </div>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </form>
    </Facts>
  );
}

function Facts({ stored, children }: { stored: StoredStorage; children: ReactNode }) {
  return (
    <>
      <dl className="kit-facts">
        <dt>Kind</dt>
        <dd>{STORAGE_KIND_NAMES[stored.kind]}</dd>
        <dt>Location</dt>
        <dd className="path">{stored.location}</dd>
      </dl>
      {children}
    </>
  );
}
