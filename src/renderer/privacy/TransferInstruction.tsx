/**
 * A repository's region against the chosen region, in Settings (`transfers.*`): where its data
 * is, and for a repository outside the chosen region the user's instruction to store it there
 * anyway — given through a confirmation that says exactly that, or revoked. Both are written to
 * the audit trail and shown in the records of processing. Works on a locked repository too.
 */
import { type FormEvent, useId, useState } from 'react';
import { Loadable } from '../common/Loadable.js';
import { REGION_NAMES, type RegionCode } from '../format.js';
import { useApp, useAppStatus } from '../storeContext.js';
import { useRequest } from '../useRequest.js';

const regionName = (code: string | null) => (code ? (REGION_NAMES[code as RegionCode] ?? code) : 'none');

function Instruction({ repositoryId }: { repositoryId: string }) {
  const request = useApp((state) => state.request);
  const state = useRequest(() => request('transfers.get', { repositoryId }), [repositoryId]);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const id = useId();

  async function run(call: () => Promise<unknown>, done: string) {
    setBusy(true);
    setMessage(null);
    try {
      await call();
      setMessage({ ok: true, text: done });
      setAsking(false);
      setReason('');
      state.reload();
    } catch (failure) {
      setMessage({ ok: false, text: (failure as Error).message });
    } finally {
      setBusy(false);
    }
  }

  function confirm(event: FormEvent) {
    event.preventDefault();
    if (reason.trim() === '') {
      setMessage({ ok: false, text: 'Say why the backups may be stored there.' });
      return;
    }
    void run(
      () => request('transfers.instruct', { repositoryId, instruction: reason.trim() }),
      'Instruction recorded in the audit trail and the records of processing.',
    );
  }

  return (
    <Loadable request={state} what="the repository's region">
      {(s) => (
        <>
          <p>
            Stored in {regionName(s.region)}; your chosen region is {regionName(s.chosenRegion)}.
          </p>
          {!s.outsideChosenRegion ? (
            <p className="muted">Inside your chosen region (or none is chosen): no instruction is needed.</p>
          ) : s.instruction ? (
            <div className="button-row">
              <p>
                Your instruction: “{s.instruction}” (given {s.instructedAt?.slice(0, 10)}).
              </p>
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void run(() => request('transfers.revoke', { repositoryId }), 'Instruction revoked (audited).')
                }
              >
                Revoke the instruction
              </button>
            </div>
          ) : (
            <>
              <p className="notice">
                No instruction to store backups outside your chosen region
                {s.revokedAt ? ` (revoked ${s.revokedAt.slice(0, 10)})` : ''}.
              </p>
              {!asking && (
                <button type="button" onClick={() => setAsking(true)}>
                  Give an instruction…
                </button>
              )}
            </>
          )}
          {asking && s.outsideChosenRegion && !s.instruction && (
            <form className="notice" role="alertdialog" aria-labelledby={`${id}-q`} onSubmit={confirm}>
              <p id={`${id}-q`}>
                <strong>
                  This location is in {regionName(s.region)}, outside your chosen region {regionName(s.chosenRegion)}.
                  Store backups there anyway?
                </strong>
              </p>
              <label htmlFor={`${id}-reason`}>Why (recorded in the audit trail and the records of processing)</label>
              <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} />
              <div className="button-row">
                <button type="submit" disabled={busy}>
                  Store backups there
                </button>
                <button type="button" onClick={() => setAsking(false)}>
                  Cancel
                </button>
              </div>
            </form>
          )}
          {message && (
            <p className={message.ok ? 'success-text' : 'error-text'} role={message.ok ? 'status' : 'alert'}>
              {message.text}
            </p>
          )}
        </>
      )}
    </Loadable>
  );
}

/** The Settings panel: one repository at a time (a select when there are several). */
export function RepositoryRegion() {
  const appStatus = useAppStatus();
  const [chosen, setChosen] = useState<string | undefined>();
  const id = useId();
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Region</h2>
      <Loadable request={appStatus} what="the repositories">
        {(status) => {
          const repos = status.repositories;
          const repo = repos.find((r) => r.id === chosen) ?? repos[0];
          if (!repo) return <p className="muted">No repository yet.</p>;
          return (
            <>
              {repos.length > 1 && (
                <div className="picker-row">
                  <label htmlFor={`${id}-repo`}>Repository</label>
                  <select id={`${id}-repo`} value={repo.id} onChange={(event) => setChosen(event.target.value)}>
                    {repos.map((r) => (
                      <option key={r.id} value={r.id}>
                        {r.label}
                      </option>
                    ))}
                  </select>
                </div>
              )}
              <Instruction key={repo.id} repositoryId={repo.id} />
            </>
          );
        }}
      </Loadable>
    </section>
  );
}
