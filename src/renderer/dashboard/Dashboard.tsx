/**
 * The Dashboard screen: is everything protected (last backup, next run, health), what is running,
 * the space used and its growth, damage and its repair, and the actions a person needs today
 * (back up now, pause, connect a repository, unlock one). Loading and failures are shown in place.
 */
import { useApp } from '../storeContext.js';
import { Activity } from './Activity.js';
import { BackUpNow } from './BackUpNow.js';
import { ConnectForm } from './ConnectForm.js';
import { ProtectionSummary } from './ProtectionSummary.js';
import { RepositoryHealth } from './RepositoryHealth.js';
import { RepositoryList } from './RepositoryList.js';
import { SpaceUsage } from './SpaceUsage.js';
import './dashboard.css';

function LoadError({ message }: { message: string }) {
  const loadStatus = useApp((state) => state.loadStatus);
  return (
    <div className="panel panel-error" role="alert">
      <p>Cairn could not load the status: {message}</p>
      <button type="button" onClick={() => void loadStatus()}>
        Retry
      </button>
    </div>
  );
}

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
  const load = useApp((state) => state.load);
  const status = useApp((state) => state.status);
  const eventsDisconnected = useApp((state) => state.eventsDisconnected);
  const hasRepositories = (status?.repositories.length ?? 0) > 0;

  return (
    <div className="screen">
      <h1>Dashboard</h1>
      {load.state === 'loading' && !status && (
        <p className="muted" role="status">
          Loading…
        </p>
      )}
      {load.state === 'error' && <LoadError message={load.message} />}
      {eventsDisconnected && status && (
        <p className="notice" role="status">
          Live updates are interrupted; Cairn is reconnecting.
        </p>
      )}
      {status && (
        <>
          <ProtectionSummary status={status} />
          <RepositoryHealth status={status} />
          <BackUpNow repositories={status.repositories} />
          <Activity repositories={status.repositories} />
          <SpaceUsage status={status} />
          {hasRepositories ? <RepositoryList repositories={status.repositories} /> : <EmptyState />}
          <ConnectForm another={hasRepositories} />
        </>
      )}
    </div>
  );
}
