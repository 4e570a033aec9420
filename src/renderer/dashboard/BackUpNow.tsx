/** "Back up now": starts a backup of every unlocked repository, or says why it cannot. */
import { useState } from 'react';
import type { AppStatusData } from '../store.js';
import { useApp } from '../storeContext.js';

type Repositories = AppStatusData['repositories'];

function reasonDisabled(repositories: Repositories): string | null {
  if (repositories.length === 0) return 'Connect a repository first.';
  if (!repositories.some((repo) => repo.unlocked)) return 'Unlock a repository first.';
  return null;
}

export function BackUpNow({ repositories }: { repositories: Repositories }) {
  const backUpNow = useApp((state) => state.backUpNow);
  const [starting, setStarting] = useState(false);
  const [failures, setFailures] = useState<string[]>([]);
  const reason = reasonDisabled(repositories);

  async function start() {
    setStarting(true);
    setFailures([]);
    try {
      setFailures(await backUpNow());
    } finally {
      setStarting(false);
    }
  }

  return (
    <section className="backup-now" aria-label="Back up">
      <button
        type="button"
        className="primary"
        disabled={reason !== null || starting}
        aria-busy={starting}
        aria-describedby={reason ? 'backup-reason' : undefined}
        onClick={() => void start()}
      >
        Back up now
      </button>
      {reason && (
        <span id="backup-reason" className="muted">
          {reason}
        </span>
      )}
      {failures.length > 0 && (
        <div className="panel panel-error" role="alert">
          <p>The backup could not start:</p>
          <ul>
            {failures.map((failure) => (
              <li key={failure}>{failure}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
