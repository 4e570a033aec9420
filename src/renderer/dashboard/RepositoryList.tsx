/**
 * The connected repositories: where they are (and on what kind of storage), whether they are
 * unlocked, when they were last backed up, and whether their storage answers ("Storage
 * unreachable since 14:02 — connection refused. Cairn keeps retrying.", announced when it appears);
 * per repository, the folders it protects (added, removed, excludes edited), "Check now" while it
 * is unlocked, and "Remove from Cairn".
 */
import { When } from '../common/When.js';
import { REGION_NAMES, STORAGE_KIND_NAMES } from '../format.js';
import type { AppStatusData } from '../store.js';
import { useNow } from '../useNow.js';
import { formatDateTime } from '../when.js';
import { CheckNow } from './CheckNow.js';
import { ProtectedFolders } from './ProtectedFolders.js';
import { RemoveRepository } from './RemoveRepository.js';
import { UnlockForm } from './UnlockForm.js';

type Repository = AppStatusData['repositories'][number];

/** "14:02" today, else the day and time; the person's locale. */
function sinceTime(iso: string, now: Date): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return 'a while';
  const time = date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return date.toDateString() === now.toDateString() ? time : formatDateTime(iso);
}

/** The warning line of a repository whose storage does not answer; nothing while it does. */
export function StorageUnreachable({ repo, now }: { repo: Repository; now: Date }) {
  const { storage } = repo;
  if (storage.reachable) return null;
  const since = storage.unreachableSince ? ` since ${sinceTime(storage.unreachableSince, now)}` : '';
  const reason = storage.reason ? ` — ${storage.reason.replace(/\.+$/, '')}` : '';
  return (
    <p className="notice storage-unreachable" role="status">
      Storage unreachable{since}
      {reason}. Cairn keeps retrying.
    </p>
  );
}

function RepositoryItem({ repo, now }: { repo: Repository; now: Date }) {
  const headingId = `repo-${repo.id}`;
  return (
    <li className="repo" aria-labelledby={headingId}>
      <h3 id={headingId}>{repo.label}</h3>
      <dl>
        <dt>Location</dt>
        <dd className="path">{repo.location}</dd>
        <dt>Storage</dt>
        <dd>{STORAGE_KIND_NAMES[repo.kind]}</dd>
        <dt>Region</dt>
        <dd>{REGION_NAMES[repo.region]}</dd>
        <dt>State</dt>
        <dd>
          <span className={`badge ${repo.unlocked ? 'badge-ok' : 'badge-warn'}`}>
            {repo.unlocked ? 'Unlocked' : 'Locked'}
          </span>
        </dd>
        <dt>Last backup</dt>
        <dd>{repo.lastBackupAt ? <When iso={repo.lastBackupAt} /> : 'No backup yet'}</dd>
      </dl>
      <StorageUnreachable repo={repo} now={now} />
      {!repo.unlocked && <UnlockForm repositoryId={repo.id} label={repo.label} />}
      <ProtectedFolders repositoryId={repo.id} label={repo.label} />
      {repo.unlocked && <CheckNow repositoryId={repo.id} label={repo.label} />}
      <RemoveRepository repositoryId={repo.id} label={repo.label} location={repo.location} />
    </li>
  );
}

export function RepositoryList({ repositories }: { repositories: Repository[] }) {
  const now = useNow();
  return (
    <section className="panel" aria-labelledby="repos-heading">
      <h2 id="repos-heading">Repositories</h2>
      <ul className="repos">
        {repositories.map((repo) => (
          <RepositoryItem key={repo.id} repo={repo} now={now} />
        ))}
      </ul>
    </section>
  );
}
