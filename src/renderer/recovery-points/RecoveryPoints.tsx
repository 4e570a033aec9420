/**
 * Recovery points: the list of a repository's points (time, files changed, data added), browsing
 * one point's folders, the difference between two points, and a file-name search across all
 * points with each file's versions. "Restore…" hands the point (and selection) to the wizard.
 */
import { useState } from 'react';
import { Loadable } from '../common/Loadable.js';
import { RepositoryPicker } from '../common/RepositoryPicker.js';
import { Empty } from '../common/States.js';
import { formatBytes } from '../format.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { Browser } from './Browser.js';
import { Compare } from './Compare.js';
import { FreezeControl } from './Freeze.js';
import { type Point, pointName } from './points.js';
import { Search } from './Search.js';
import '../common/common.css';
import './recovery-points.css';
import { formatDateTime } from '../when.js';

export function RecoveryPoints() {
  return (
    <div className="screen recovery-points">
      <h1>Recovery points</h1>
      <RepositoryPicker>
        {(repositoryId) => <PointsOf key={repositoryId} repositoryId={repositoryId} />}
      </RepositoryPicker>
    </div>
  );
}

function PointsOf({ repositoryId }: { repositoryId: string }) {
  const request = useApp((state) => state.request);
  const lastBackupAt = useApp((state) => state.status?.repositories.find((r) => r.id === repositoryId)?.lastBackupAt);
  const points = useRequest(() => request('snapshots.list', { repositoryId }), [repositoryId, lastBackupAt]);
  return (
    <Loadable request={points} what="the recovery points">
      {(list) => <Timeline repositoryId={repositoryId} points={list} reload={points.reload} />}
    </Loadable>
  );
}

function Timeline({ repositoryId, points, reload }: { repositoryId: string; points: Point[]; reload: () => void }) {
  const [selected, setSelected] = useState<string | null>(null);
  if (points.length === 0) {
    return (
      <Empty title="No recovery points yet">
        <p>A recovery point is made by every backup. Use “Back up now” on the Dashboard to make the first one.</p>
      </Empty>
    );
  }
  const point = points.find((p) => p.id === selected && !p.frozen) ?? null;
  return (
    <>
      <section className="panel" aria-labelledby="points-heading">
        <h2 id="points-heading">Timeline</h2>
        <table className="data-table points-table">
          <caption className="muted">
            {points.length === 1 ? '1 recovery point' : `${points.length} recovery points`}, newest first
          </caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col" className="numeric">
                Files changed
              </th>
              <th scope="col" className="numeric">
                Data added
              </th>
              <th scope="col" className="numeric">
                Total
              </th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.id} aria-selected={p.id === selected}>
                <td>
                  {formatDateTime(p.time)} <span className="muted path">{p.id.slice(0, 8)}</span>
                  {p.partial && <span className="badge badge-warn">partial</span>}
                  {p.frozen && (
                    <span
                      className="badge badge-frozen"
                      title="Restricted: no browse, restore or export until unfrozen"
                    >
                      frozen
                    </span>
                  )}
                </td>
                <td className="numeric">{(p.filesNew + p.filesChanged).toLocaleString()}</td>
                <td className="numeric">{formatBytes(p.dataAdded)}</td>
                <td className="numeric">
                  {p.totalFiles.toLocaleString()} files, {formatBytes(p.totalBytes)}
                </td>
                <td className="point-actions">
                  <button
                    type="button"
                    aria-pressed={p.id === selected}
                    aria-label={`Browse ${pointName(p)}`}
                    disabled={p.frozen}
                    onClick={() => setSelected(p.id === selected ? null : p.id)}
                  >
                    Browse
                  </button>
                  <FreezeControl
                    repositoryId={repositoryId}
                    point={p}
                    onChanged={() => {
                      if (p.id === selected) setSelected(null);
                      reload();
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {point && <Browser key={point.id} repositoryId={repositoryId} point={point} />}
      <Compare repositoryId={repositoryId} points={points} />
      <Search repositoryId={repositoryId} />
    </>
  );
}
