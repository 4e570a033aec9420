/**
 * "Space used": per repository, what it occupies in its storage location (`repo.usage`, also for
 * a locked repository) and, once unlocked, the chart of its growth per recovery point.
 */

import { Loadable } from '../common/Loadable.js';
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
      <Loadable compact request={usage} what="the space used">
        {(used) => (
          <p className="space-line">
            <strong>{formatBytes(used.storedBytes)}</strong> used by {used.snapshots} recovery point
            {used.snapshots === 1 ? '' : 's'}
          </p>
        )}
      </Loadable>
      {repo.unlocked ? (
        <Loadable compact request={snapshots} what="the recovery points">
          {(points) =>
            points.length === 0 ? (
              <p className="muted">No recovery points yet: the chart appears after the first backup.</p>
            ) : (
              <GrowthChart label={repo.label} snapshots={points} />
            )
          }
        </Loadable>
      ) : (
        <p className="muted">Unlock {repo.label} to see its growth per recovery point.</p>
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
