/**
 * The Dashboard screen: is everything protected (one verdict with its reason and action, last
 * backup, next run, health), what is running, the space used and its growth, damage and its
 * repair, and the repositories as cards (unlock, folders, check). Adding a repository is its own
 * screen ("Add a repository"), reached from here. Loading and failures are shown in place.
 */
import { Loadable } from '../common/Loadable.js';
import { useApp, useAppStatus } from '../storeContext.js';
import { Activity } from './Activity.js';
import { ProtectionSummary } from './ProtectionSummary.js';
import { RepositoryHealth } from './RepositoryHealth.js';
import { RepositoryList } from './RepositoryList.js';
import { SpaceUsage } from './SpaceUsage.js';
import './dashboard.css';

function EmptyState() {
  const navigate = useApp((state) => state.navigate);
  return (
    <section className="panel empty" aria-labelledby="empty-heading">
      <h2 id="empty-heading">No storage location yet</h2>
      <p>Add a repository to back up to: a folder, a drive, an SFTP server or an S3 bucket, new or already made.</p>
      <button type="button" className="primary" onClick={() => navigate('first-run')}>
        Add a repository
      </button>
    </section>
  );
}

function AddAnother() {
  const navigate = useApp((state) => state.navigate);
  return (
    <p className="add-another">
      <button type="button" onClick={() => navigate('first-run')}>
        Add another repository…
      </button>
    </p>
  );
}

export function Dashboard() {
  const appStatus = useAppStatus();
  const eventsDisconnected = useApp((state) => state.eventsDisconnected);

  return (
    <div className="screen">
      <h1>Dashboard</h1>
      <Loadable request={appStatus} what="the status">
        {(status) => {
          const hasRepositories = status.repositories.length > 0;
          return (
            <>
              {eventsDisconnected && (
                <p className="notice" role="status">
                  Live updates are interrupted; Cairn is reconnecting.
                </p>
              )}
              <ProtectionSummary status={status} />
              <RepositoryHealth status={status} />
              <Activity repositories={status.repositories} />
              <SpaceUsage status={status} />
              {hasRepositories ? (
                <>
                  <RepositoryList repositories={status.repositories} />
                  <AddAnother />
                </>
              ) : (
                <EmptyState />
              )}
            </>
          );
        }}
      </Loadable>
    </div>
  );
}
