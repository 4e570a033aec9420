/**
 * Which repository a screen works on: a select when there are several, and the unlock form when
 * the chosen one is locked. Renders its children only for an unlocked repository.
 */
import { type ReactNode, useEffect, useId, useState } from 'react';
import { UnlockForm } from '../dashboard/UnlockForm.js';
import type { AppStatusData } from '../store.js';
import { useApp, useAppStatus } from '../storeContext.js';
import { Loadable } from './Loadable.js';
import { Empty } from './States.js';

export function RepositoryPicker({
  preferred,
  children,
}: {
  preferred?: string | undefined;
  children: (repositoryId: string) => ReactNode;
}) {
  const appStatus = useAppStatus();
  return (
    <Loadable request={appStatus} what="the repositories">
      {(status) => (
        <Choose repositories={status.repositories} preferred={preferred}>
          {children}
        </Choose>
      )}
    </Loadable>
  );
}

function Choose({
  repositories,
  preferred,
  children,
}: {
  repositories: AppStatusData['repositories'];
  preferred: string | undefined;
  children: (repositoryId: string) => ReactNode;
}) {
  const navigate = useApp((state) => state.navigate);
  const [chosen, setChosen] = useState<string | undefined>(preferred);
  const selectId = useId();
  useEffect(() => {
    if (preferred) setChosen(preferred);
  }, [preferred]);

  if (repositories.length === 0) {
    return (
      <Empty title="No repository yet">
        <p>Set up where your backups are stored first.</p>
        <button type="button" className="primary" onClick={() => navigate('first-run')}>
          Set up a repository
        </button>
      </Empty>
    );
  }
  const repo = repositories.find((r) => r.id === chosen) ?? repositories.find((r) => r.unlocked) ?? repositories[0];
  if (!repo) return null;
  return (
    <>
      {repositories.length > 1 && (
        <div className="picker-row">
          <label htmlFor={selectId}>Repository</label>
          <select id={selectId} value={repo.id} onChange={(event) => setChosen(event.target.value)}>
            {repositories.map((r) => (
              <option key={r.id} value={r.id}>
                {r.label}
                {r.unlocked ? '' : ' (locked)'}
              </option>
            ))}
          </select>
        </div>
      )}
      {repo.unlocked ? (
        children(repo.id)
      ) : (
        <div className="panel">
          <p>“{repo.label}” is locked. Unlock it with its password to continue.</p>
          <UnlockForm repositoryId={repo.id} label={repo.label} />
        </div>
      )}
    </>
  );
}
