/**
 * The difference between two recovery points ('snapshots.diff'): added, removed, modified files.
 * Frozen (restricted) points are not offered, since the app refuses to compare them; a note says
 * how many are left out.
 */
import { type FormEvent, useId, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { failureMessage } from '../common/failure.js';
import { formatBytes } from '../format.js';
import { useApp } from '../storeContext.js';
import { type Point, pointName } from './points.js';

const CHANGE_NAMES = { added: 'Added', removed: 'Removed', modified: 'Modified', metadata: 'Details changed' } as const;

export function Compare({ repositoryId, points }: { repositoryId: string; points: Point[] }) {
  const request = useApp((state) => state.request);
  const comparable = points.filter((p) => !p.frozen);
  const hidden = points.length - comparable.length;
  const [olderChoice, setOlder] = useState(comparable[1]?.id ?? comparable[0]?.id ?? '');
  const [newerChoice, setNewer] = useState(comparable[0]?.id ?? '');
  // A point frozen (or removed) since it was chosen falls back to the default choice.
  const offered = (id: string) => comparable.some((p) => p.id === id);
  const older = offered(olderChoice) ? olderChoice : (comparable[1]?.id ?? comparable[0]?.id ?? '');
  const newer = offered(newerChoice) ? newerChoice : (comparable[0]?.id ?? '');
  const [diff, setDiff] = useState<Result<'snapshots.diff'> | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function compare(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setDiff(await request('snapshots.diff', { repositoryId, a: older, b: newer }));
    } catch (failure) {
      setError(failureMessage(failure, 'compare it'));
    } finally {
      setBusy(false);
    }
  }

  const hiddenNote = hidden > 0 && (
    <p className="muted">
      {hidden} frozen recovery point(s) are not offered: a frozen point cannot be compared until it is unfrozen.
    </p>
  );
  if (comparable.length < 2) {
    return (
      <section className="panel" aria-labelledby={`${id}-heading`}>
        <h2 id={`${id}-heading`}>Compare two recovery points</h2>
        <p className="muted">
          {comparable.length === 0
            ? 'There is no recovery point to compare yet.'
            : 'There is only one recovery point to compare: after the next backup you can compare two.'}
        </p>
        {hiddenNote}
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Compare two recovery points</h2>
      {hiddenNote}
      <form className="compare-form" onSubmit={(event) => void compare(event)}>
        <label htmlFor={`${id}-a`}>From</label>
        <select id={`${id}-a`} value={older} onChange={(event) => setOlder(event.target.value)}>
          {comparable.map((p) => (
            <option key={p.id} value={p.id}>
              {pointName(p)}
            </option>
          ))}
        </select>
        <label htmlFor={`${id}-b`}>To</label>
        <select id={`${id}-b`} value={newer} onChange={(event) => setNewer(event.target.value)}>
          {comparable.map((p) => (
            <option key={p.id} value={p.id}>
              {pointName(p)}
            </option>
          ))}
        </select>
        <button type="submit" disabled={busy} aria-busy={busy}>
          Compare
        </button>
      </form>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {diff && (
        <div aria-live="polite">
          <p>
            {diff.counts.added} added, {diff.counts.removed} removed, {diff.counts.modified} modified
            {diff.counts.metadata > 0 && `, ${diff.counts.metadata} with changed details`}
            {diff.truncated && ' (only the first changes are listed)'}
          </p>
          {diff.changes.length === 0 ? (
            <p className="muted">Nothing changed between these two recovery points.</p>
          ) : (
            <table className="data-table" aria-label="Changes">
              <thead>
                <tr>
                  <th scope="col">Change</th>
                  <th scope="col">Path</th>
                  <th scope="col" className="numeric">
                    Size
                  </th>
                </tr>
              </thead>
              <tbody>
                {diff.changes.map((c) => (
                  <tr key={`${c.change}:${c.path}`}>
                    <td>
                      <span className={`badge change-${c.change}`}>{CHANGE_NAMES[c.change]}</span>
                    </td>
                    <td className="path">{c.path}</td>
                    <td className="numeric">
                      {c.type !== 'file'
                        ? ''
                        : c.change === 'modified'
                          ? `${formatBytes(c.sizeBefore ?? 0)} → ${formatBytes(c.sizeAfter ?? 0)}`
                          : formatBytes(c.sizeAfter ?? c.sizeBefore ?? 0)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </section>
  );
}
