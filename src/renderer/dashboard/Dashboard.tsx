/**
 * The Dashboard screen: is everything protected (last backup, next run, health), what is running,
 * the space used and its growth, damage and its repair, and the actions a person needs today
 * (back up now, pause, connect a repository, unlock one). Loading and failures are shown in place.
 */
import { Loadable } from '../common/Loadable.js';
import { useApp, useAppStatus } from '../storeContext.js';
import { Activity } from './Activity.js';
import { BackUpNow } from './BackUpNow.js';
import { ConnectForm } from './ConnectForm.js';
import { ProtectionSummary } from './ProtectionSummary.js';
import { RepositoryHealth } from './RepositoryHealth.js';
import { RepositoryList } from './RepositoryList.js';
import { SpaceUsage } from './SpaceUsage.js';
import './dashboard.css';

function EmptyState() {
  return (
    <section className="panel empty" aria-labelledby="empty-heading">
      <h2 id="empty-heading">No storage location yet</h2>
      <p>
        No repository is connected. Create one with the command line: <code>cairn init --repo PATH</code>, then connect
        it here.
      </p>
    </section>
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
              <BackUpNow repositories={status.repositories} />
              <Activity repositories={status.repositories} />
              <SpaceUsage status={status} />
              {hasRepositories ? <RepositoryList repositories={status.repositories} /> : <EmptyState />}
              <ConnectForm another={hasRepositories} />
            </>
          );
        }}
      </Loadable>
    </div>
  );
}
