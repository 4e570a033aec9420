/**
 * "What Cairn holds" (privacy.overview): the data categories with where and how long each is
 * kept (behind a disclosure, so the Privacy summary stays short), every storage location with its region, the retention time limits, and the chosen
 * region with a way to change it (privacy.region.set). Also says plainly how rectification works.
 */
import { useId, useState } from 'react';
import { Loadable } from '../common/Loadable.js';
import { REGION_NAMES, type RegionCode } from '../format.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';

const REGIONS = Object.keys(REGION_NAMES) as RegionCode[];

function regionName(region: string | null): string {
  if (!region) return 'none chosen';
  return REGION_NAMES[region as RegionCode] ?? region;
}

export function Held() {
  const request = useApp((state) => state.request);
  const repositoriesKey = useApp((state) => state.status?.repositories.map((r) => r.id).join(',') ?? '');
  const overview = useRequest(() => request('privacy.overview', {}), [repositoriesKey]);
  const id = useId();
  const [region, setRegion] = useState<RegionCode | ''>('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  async function saveRegion() {
    if (!region) return;
    setBusy(true);
    setMessage(null);
    try {
      const result = await request('privacy.region.set', { region });
      const outside = result.locations.filter((l) => l.outsideChosenRegion).length;
      setMessage({
        ok: true,
        text:
          `Chosen region: ${regionName(result.chosen)}.` +
          (outside > 0 ? ` ${outside} storage location(s) are outside it.` : ''),
      });
      overview.reload();
    } catch (failure) {
      setMessage({ ok: false, text: (failure as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" id="privacy-held" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>What Cairn holds</h2>
      <Loadable request={overview} what="what Cairn holds">
        {(data) => (
          <>
            <details className="held-details">
              <summary>What is held, where, and for how long</summary>
              <table className="data-table">
                <caption className="visually-hidden">What is held, where, and for how long</caption>
                <thead>
                  <tr>
                    <th scope="col">Data</th>
                    <th scope="col">Where</th>
                    <th scope="col">Kept</th>
                  </tr>
                </thead>
                <tbody>
                  {data.held.map((h) => (
                    <tr key={h.category}>
                      <td>{h.category}</td>
                      <td className="path">{h.where}</td>
                      <td>{h.kept}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </details>
            <h3>Storage locations</h3>
            {data.locations.length === 0 ? (
              <p className="muted">
                No storage location yet: backups are stored nowhere until you set up a repository.
              </p>
            ) : (
              <table className="data-table">
                <caption className="visually-hidden">Storage locations and their regions</caption>
                <thead>
                  <tr>
                    <th scope="col">Repository</th>
                    <th scope="col">Location</th>
                    <th scope="col">Region</th>
                    <th scope="col">Retention (time limit)</th>
                  </tr>
                </thead>
                <tbody>
                  {data.locations.map((l) => (
                    <tr key={l.repositoryId}>
                      <td>{l.label}</td>
                      <td className="path">{l.location}</td>
                      <td>
                        {regionName(l.region)}
                        {l.outsideChosenRegion && <span className="badge badge-warn">outside the chosen region</span>}
                      </td>
                      <td>{data.retention.find((r) => r.repositoryId === l.repositoryId)?.timeLimit ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <p>
              Privacy records are kept in <span className="path">{data.privacyDir}</span>. The audit trail has{' '}
              {data.audit.entries.toLocaleString()} entries and is {data.audit.intact ? 'intact' : 'damaged'}.
            </p>
            <div className="inline-form region-form">
              <label htmlFor={`${id}-region`}>
                Chosen region: <strong>{regionName(data.chosenRegion)}</strong>. Change to
              </label>
              <select
                id={`${id}-region`}
                value={region || data.chosenRegion || ''}
                onChange={(event) => {
                  setRegion(event.target.value as RegionCode);
                  setMessage(null);
                }}
              >
                {!data.chosenRegion && <option value="">Choose a region…</option>}
                {REGIONS.map((r) => (
                  <option key={r} value={r}>
                    {REGION_NAMES[r]}
                  </option>
                ))}
              </select>
              <button
                type="button"
                onClick={() => void saveRegion()}
                disabled={busy || !region || region === data.chosenRegion}
              >
                Set region
              </button>
            </div>
            <p className="hint">
              Data never leaves the chosen region without your explicit instruction: a storage location in another
              region needs one, and it is written to the audit trail.
            </p>
            {message && (
              <p className={message.ok ? 'success-text' : 'error-text'} role={message.ok ? 'status' : 'alert'}>
                {message.text}
              </p>
            )}
            <p className="rectification">
              <strong>Correcting your data:</strong> change the file itself. The next recovery point captures the
              corrected version. Older recovery points keep the old version until retention removes them, or until you
              erase it from every recovery point (the <em>Erase files</em> page).
            </p>
          </>
        )}
      </Loadable>
    </section>
  );
}
