/**
 * "Space used": per repository, what it occupies in its storage location (`repo.usage`, also for
 * a locked repository) and, once unlocked, the chart of its growth per recovery point.
 */

import { formatBytes } from '../format.js';
import type { AppStatusData } from '../store.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { GrowthChart } from './GrowthChart.js';

type Repository = AppStatusData['repositories'][number];

function RepositorySpace({ repo, status }: { repo: Repository; status: AppStatusData }) {
  const request = useApp((state) => state.request);
  const usage = useRequest(() => request('repo.usage', { repositoryId: repo.id }), [status]);
  const snapshots = useRequest(repo.unlocked ? () => request('snapshots.list', { repositoryId: repo.id }) : null, [
    status,
    repo.unlocked,
  ]);
  const headingId = `space-${repo.id}`;
  return (
    <div className="space">
      <p id={headingId} className="space-name">
        {repo.label}
      </p>
      {usage.state === 'loading' && !usage.data && <p className="muted">Loading…</p>}
      {usage.state === 'error' && (
        <p className="error-text">
          Cannot measure the space used: {usage.message}{' '}
          <button type="button" onClick={usage.reload}>
            Retry
          </button>
        </p>
      )}
      {usage.data && (
        <p className="space-line">
          <strong>{formatBytes(usage.data.storedBytes)}</strong> used by {usage.data.snapshots} recovery point
          {usage.data.snapshots === 1 ? '' : 's'}
        </p>
      )}
      {!repo.unlocked && <p className="muted">Unlock {repo.label} to see its growth per recovery point.</p>}
      {repo.unlocked && snapshots.state === 'error' && (
        <p className="error-text">Cannot list the recovery points: {snapshots.message}</p>
      )}
      {repo.unlocked && snapshots.data && snapshots.data.length === 0 && (
        <p className="muted">No recovery points yet: the chart appears after the first backup.</p>
      )}
      {repo.unlocked && snapshots.data && snapshots.data.length > 0 && (
        <GrowthChart label={repo.label} snapshots={snapshots.data} />
      )}
    </div>
  );
}

export function SpaceUsage({ status }: { status: AppStatusData }) {
  if (status.repositories.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="space-heading">
      <h2 id="space-heading">Space used</h2>
      <div className="spaces">
        {status.repositories.map((repo) => (
          <RepositorySpace key={repo.id} repo={repo} status={status} />
        ))}
      </div>
    </section>
  );
}
