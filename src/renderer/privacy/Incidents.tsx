/**
 * The incident register (incidents.list/open/close): each incident with its 72-hour deadline
 * (Art. 33(1)) and the time left, its findings and measures; opening one by hand; closing one
 * with the measures taken and the notification decision. The list follows 'incidents.changed'.
 */
import { type FormEvent, useId, useState } from 'react';
import type { z } from 'zod';
import type { Incident, NotificationStatus } from '../../contract/schemas.js';
import { Loadable } from '../common/Loadable.js';
import { Empty } from '../common/States.js';
import { useApp } from '../storeContext.js';
import { useNow } from '../useNow.js';
import { useRequest } from '../useRequest.js';
import { formatDateTime } from '../when.js';
import { deadlineLeft } from './clock.js';

type IncidentData = z.output<typeof Incident>;
type Notification = z.output<typeof NotificationStatus>;

const NOTIFICATION: Record<Notification, string> = {
  'not-assessed': 'Not assessed yet',
  'not-required': 'Not required (no risk to people)',
  'authority-notified': 'Supervisory authority notified',
  'subjects-notified': 'The people concerned notified',
  'authority-and-subjects-notified': 'Authority and the people concerned notified',
};

function lines(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

function CloseForm({ incident, onDone }: { incident: IncidentData; onDone: () => void }) {
  const request = useApp((state) => state.request);
  const [measures, setMeasures] = useState('');
  const [notification, setNotification] = useState<Notification>(incident.notification);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function close(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await request('incidents.close', { id: incident.id, measures: lines(measures), notification });
      onDone();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="form" onSubmit={(event) => void close(event)} aria-label={`Close “${incident.title}”`}>
      <label htmlFor={`${id}-measures`}>Measures taken (one per line)</label>
      <textarea id={`${id}-measures`} rows={3} value={measures} onChange={(e) => setMeasures(e.target.value)} />
      <label htmlFor={`${id}-notification`}>Notification</label>
      <select
        id={`${id}-notification`}
        value={notification}
        onChange={(e) => setNotification(e.target.value as Notification)}
      >
        {(Object.keys(NOTIFICATION) as Notification[]).map((n) => (
          <option key={n} value={n}>
            {NOTIFICATION[n]}
          </option>
        ))}
      </select>
      <div className="button-row">
        <button type="submit" className="primary" disabled={busy}>
          Close the incident
        </button>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function IncidentItem({ incident, now, onChanged }: { incident: IncidentData; now: Date; onChanged: () => void }) {
  const [closing, setClosing] = useState(false);
  const id = useId();
  const open = incident.status === 'open';
  const left = deadlineLeft(incident.notifyBy, now);
  return (
    <li className={`incident${open ? ' incident-open' : ''}`} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        {incident.title} <span className={`badge ${open ? 'badge-warn' : 'badge-ok'}`}>{open ? 'open' : 'closed'}</span>
      </h3>
      <dl className="incident-facts">
        <dt>Aware since</dt>
        <dd>{formatDateTime(incident.awareAt)}</dd>
        <dt>Notify the authority by</dt>
        <dd>
          {formatDateTime(incident.notifyBy)}
          {open && incident.hoursLeft !== null && (
            <strong className={left.urgent ? ' error-text' : ''}> ({left.text})</strong>
          )}
        </dd>
        <dt>Notification</dt>
        <dd>{NOTIFICATION[incident.notification]}</dd>
        {incident.dataCategories.length > 0 && (
          <>
            <dt>Data concerned</dt>
            <dd>{incident.dataCategories.join(', ')}</dd>
          </>
        )}
        {incident.measures.length > 0 && (
          <>
            <dt>Measures</dt>
            <dd>{incident.measures.join('; ')}</dd>
          </>
        )}
        {incident.closedAt && (
          <>
            <dt>Closed</dt>
            <dd>{formatDateTime(incident.closedAt)}</dd>
          </>
        )}
      </dl>
      {incident.findings.length > 0 && (
        <ul className="findings" aria-label="Findings">
          {incident.findings.map((f) => (
            <li key={`${f.at}-${f.text}`}>
              <span className="muted">{formatDateTime(f.at)}</span> {f.text}
            </li>
          ))}
        </ul>
      )}
      {open &&
        (closing ? (
          <CloseForm incident={incident} onDone={onChanged} />
        ) : (
          <button type="button" onClick={() => setClosing(true)} aria-describedby={`${id}-title`}>
            Close…
          </button>
        ))}
    </li>
  );
}

function OpenForm({ onOpened }: { onOpened: () => void }) {
  const request = useApp((state) => state.request);
  const [title, setTitle] = useState('');
  const [finding, setFinding] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function open(event: FormEvent) {
    event.preventDefault();
    if (title.trim() === '') {
      setError('Say in a few words what happened.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await request('incidents.open', {
        title: title.trim(),
        ...(finding.trim() ? { finding: finding.trim() } : {}),
      });
      setTitle('');
      setFinding('');
      onOpened();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="open-incident">
      <summary>Record an incident by hand</summary>
      <form className="form" onSubmit={(event) => void open(event)} aria-label="Record an incident">
        <label htmlFor={`${id}-title`}>What happened</label>
        <input id={`${id}-title`} value={title} onChange={(e) => setTitle(e.target.value)} />
        <label htmlFor={`${id}-finding`}>First finding (optional)</label>
        <textarea id={`${id}-finding`} rows={2} value={finding} onChange={(e) => setFinding(e.target.value)} />
        <p className="hint">The 72-hour clock starts now.</p>
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy}>
            Open the incident
          </button>
        </div>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
      </form>
    </details>
  );
}

/** Open incidents first, then the newest first. */
function openFirst<T extends { status: string; detectedAt: string }>(incidents: T[]): T[] {
  return [...incidents].sort((a, b) =>
    a.status === b.status ? b.detectedAt.localeCompare(a.detectedAt) : a.status === 'open' ? -1 : 1,
  );
}

export function Incidents() {
  const request = useApp((state) => state.request);
  const openIncidents = useApp((state) => state.openIncidents);
  const openKey = openIncidents.map((i) => `${i.id}:${i.findings.length}`).join(',');
  const list = useRequest(() => request('incidents.list', { openOnly: false }), [openKey]);
  const now = useNow();
  const id = useId();
  return (
    <section className="panel" id="privacy-incidents" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Incidents</h2>
      <p className="hint">
        A personal data breach must be reported to the supervisory authority within 72 hours of becoming aware of it,
        unless it is unlikely to put anyone at risk. Cairn opens an incident itself when it sees signs of tampering.
      </p>
      <Loadable request={list} what="the incidents">
        {(incidents) =>
          incidents.length === 0 ? (
            <Empty title="No incidents">
              <p>Nothing has been recorded.</p>
            </Empty>
          ) : (
            <ul className="incidents" aria-label="Incident register">
              {openFirst(incidents).map((incident) => (
                <IncidentItem key={incident.id} incident={incident} now={now} onChanged={list.reload} />
              ))}
            </ul>
          )
        }
      </Loadable>
      <OpenForm onOpened={list.reload} />
    </section>
  );
}
