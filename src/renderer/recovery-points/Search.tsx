/** Search a file name across every recovery point ('snapshots.search'), with each file's versions. */
import { type FormEvent, useId, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { formatBytes } from '../format.js';
import { useApp } from '../storeContext.js';
import { formatDateTime } from '../when.js';

export function Search({ repositoryId }: { repositoryId: string }) {
  const request = useApp((state) => state.request);
  const navigate = useApp((state) => state.navigate);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Result<'snapshots.search'> | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function search(event: FormEvent) {
    event.preventDefault();
    if (query.trim() === '') return;
    setBusy(true);
    setError(null);
    try {
      setFound(await request('snapshots.search', { repositoryId, query: query.trim() }));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Find a file</h2>
      <form className="inline-form" onSubmit={(event) => void search(event)}>
        <label htmlFor={`${id}-query`}>File name</label>
        <input
          id={`${id}-query`}
          value={query}
          placeholder="e.g. report"
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="submit" disabled={busy || query.trim() === ''} aria-busy={busy}>
          Search
        </button>
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {found && (
        <div aria-live="polite">
          <p className="muted">
            {found.hits.length === 0
              ? `No file or folder named like “${query.trim()}” in ${found.snapshotsSearched} recovery point(s).`
              : `${found.hits.length} match(es) in ${found.snapshotsSearched} recovery point(s)${found.truncated ? '; the search stopped at its limit, type more of the name to narrow it' : ''}.`}
          </p>
          <ul className="search-hits">
            {found.hits.map((hit) => (
              <li key={hit.path}>
                <h3 className="path">{hit.path}</h3>
                <table className="data-table" aria-label={`Versions of ${hit.path}`}>
                  <thead>
                    <tr>
                      <th scope="col">Recovery point</th>
                      <th scope="col" className="numeric">
                        Size
                      </th>
                      <th scope="col">Modified</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {hit.versions.map((v) => (
                      <tr key={v.snapshotId}>
                        <td>
                          {formatDateTime(v.time)} <span className="muted path">{v.snapshotId.slice(0, 8)}</span>
                          {!v.changed && <span className="muted"> · same as the version before</span>}
                        </td>
                        <td className="numeric">{v.size === null ? '' : formatBytes(v.size)}</td>
                        <td>{formatDateTime(v.mtime)}</td>
                        <td>
                          <button
                            type="button"
                            aria-label={`Restore ${hit.path} from ${formatDateTime(v.time)}`}
                            onClick={() =>
                              navigate('restore', { repositoryId, snapshotId: v.snapshotId, paths: [hit.path] })
                            }
                          >
                            Restore…
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
