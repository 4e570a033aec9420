/**
 * The consent ledger (consent.list / consent.set): each purpose with its state, the notice
 * version it was given or withdrawn under, and when and how. "Withdraw" sits beside each given
 * consent and "Give" beside the others. Withdrawing the backup purpose is confirmed first,
 * because scheduled backups stop; afterwards erasure is offered.
 */
import { useId, useState } from 'react';
import type { z } from 'zod';
import type { ConsentState } from '../../contract/schemas.js';
import { Loadable } from '../common/Loadable.js';
import { Empty } from '../common/States.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { formatDateTime } from '../when.js';

type Consent = z.output<typeof ConsentState>;

function lastChange(consent: Consent): string {
  const last = consent.last;
  if (!last) return consent.required ? 'Not given yet.' : 'Never asked: off by default.';
  return `${last.given ? 'Given' : 'Withdrawn'} ${formatDateTime(last.at)} in the ${last.via === 'app' ? 'app' : 'command line'}, notice version ${last.noticeVersion}.`;
}

function ConsentRow({
  consent,
  onChanged,
}: {
  consent: Consent;
  onChanged: (message: string, erase: boolean) => void;
}) {
  const request = useApp((state) => state.request);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function set(given: boolean) {
    setBusy(true);
    setError(null);
    try {
      const result = await request('consent.set', { purpose: consent.purpose, given, via: 'app' });
      setConfirming(false);
      onChanged(result.message, result.offerErasure);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="consent" aria-labelledby={`${id}-title`}>
      <div className="consent-head">
        <h3 id={`${id}-title`}>{consent.title}</h3>
        <span className={`badge ${consent.given ? 'badge-ok' : ''}`}>{consent.given ? 'given' : 'not given'}</span>
        {consent.required && <span className="muted">needed for backups</span>}
        {consent.given ? (
          <button
            type="button"
            onClick={() => (consent.purpose === 'backup' ? setConfirming(true) : void set(false))}
            disabled={busy || confirming}
            aria-describedby={`${id}-title`}
          >
            Withdraw
          </button>
        ) : (
          <button type="button" onClick={() => void set(true)} disabled={busy} aria-describedby={`${id}-title`}>
            Give
          </button>
        )}
      </div>
      <p className="muted">{lastChange(consent)}</p>
      {confirming && (
        <section className="panel confirm" aria-label="Confirm withdrawing consent for backups">
          <p>
            Withdrawing this consent stops every scheduled backup. Your recovery points stay where they are until you
            erase them; “Back up now” still works if you ask for it.
          </p>
          <div className="button-row">
            <button type="button" className="danger" onClick={() => void set(false)} disabled={busy}>
              Withdraw consent for backups
            </button>
            <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
              Keep it
            </button>
          </div>
        </section>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <details>
        <summary>Notice version {consent.notice.version}</summary>
        <p className="notice-text">{consent.notice.text}</p>
      </details>
    </li>
  );
}

export function ConsentLedger() {
  const request = useApp((state) => state.request);
  const navigate = useApp((state) => state.navigate);
  const consents = useRequest(() => request('consent.list', {}), []);
  const [message, setMessage] = useState<{ text: string; erase: boolean } | null>(null);
  const id = useId();
  return (
    <section className="panel" id="privacy-consent" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Consent</h2>
      <p className="hint">
        Each purpose is separate. You can withdraw at any time; withdrawing is as easy as giving, and every change is
        kept in the ledger.
      </p>
      <Loadable request={consents} what="the consent ledger">
        {(data) =>
          data.length === 0 ? (
            <Empty title="No purposes">
              <p>Cairn asks for no consent.</p>
            </Empty>
          ) : (
            <ul className="consents" aria-label="Consent ledger">
              {data.map((consent) => (
                <ConsentRow
                  key={consent.purpose}
                  consent={consent}
                  onChanged={(text, erase) => {
                    setMessage({ text, erase });
                    consents.reload();
                  }}
                />
              ))}
            </ul>
          )
        }
      </Loadable>
      {message && (
        <div role="status" className="consent-message">
          <p>{message.text}</p>
          {message.erase && (
            <p>
              You can also have what is stored erased:{' '}
              <button
                type="button"
                className="inline-link"
                onClick={() => navigate('privacy', { privacyPage: 'erase' })}
              >
                erase files and folders
              </button>{' '}
              from every recovery point, or <a href="#privacy-erase-all">erase everything</a> (below on this page).
            </p>
          )}
        </div>
      )}
    </section>
  );
}
