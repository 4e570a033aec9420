/**
 * The connected repositories: where they are (and on what kind of storage), whether they are
 * unlocked, and when they were last backed up.
 */
import { formatAge, REGION_NAMES, STORAGE_KIND_NAMES } from '../format.js';
import type { AppStatusData } from '../store.js';
import { useNow } from '../useNow.js';
import { UnlockForm } from './UnlockForm.js';

type Repository = AppStatusData['repositories'][number];

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
        <dd>{repo.lastBackupAt ? formatAge(repo.lastBackupAt, now) : 'No backup yet'}</dd>
      </dl>
      {!repo.unlocked && <UnlockForm repositoryId={repo.id} label={repo.label} />}
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
