/**
 * The requests register on the Privacy screen (GDPR Art. 12, `requests.*`): how many requests are
 * open and overdue, a form to record one (kind, a short reference to who made it, the day it was
 * received), and the register with each request's deadline — one month from receipt, three after
 * an extension — and what was done for it. Each open request is handled in RequestActions.tsx.
 */
import { type FormEvent, useId, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { Loadable } from '../common/Loadable.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { RequestActions } from './RequestActions.js';

type Listed = Result<'requests.list'>;
type Row = Listed['requests'][number];

const KINDS: { value: Row['kind']; label: string }[] = [
  { value: 'access', label: 'Access (Art. 15)' },
  { value: 'erasure', label: 'Erasure (Art. 17)' },
  { value: 'rectification', label: 'Rectification (Art. 16)' },
  { value: 'restriction', label: 'Restriction (Art. 18)' },
  { value: 'objection', label: 'Objection (Art. 21)' },
  { value: 'portability', label: 'Portability (Art. 20)' },
];

/** Today as YYYY-MM-DD in local time, the default day received. */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

export function deadlineText(r: Row): string {
  if (r.status === 'done') return 'Done';
  if (r.status === 'refused') return 'Refused';
  if (r.daysLeft === null) return '';
  if (r.daysLeft < 0) return `Overdue by ${-r.daysLeft} day${r.daysLeft === -1 ? '' : 's'}`;
  if (r.daysLeft === 0) return 'Due today';
  return `${r.daysLeft} day${r.daysLeft === 1 ? '' : 's'} left`;
}

function AddRequest({ onAdded }: { onAdded: () => void }) {
  const request = useApp((state) => state.request);
  const [kind, setKind] = useState<Row['kind']>('access');
  const [requester, setRequester] = useState('');
  const [received, setReceived] = useState(today);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const id = useId();

  async function add(event: FormEvent) {
    event.preventDefault();
    if (requester.trim() === '') {
      setMessage({ ok: false, text: 'Give a short reference to who made the request, e.g. a customer number.' });
      return;
    }
    setBusy(true);
    setMessage(null);
    try {
      const added = await request('requests.add', { kind, requester: requester.trim(), receivedOn: received });
      setMessage({ ok: true, text: `Request recorded: answer by ${added.dueOn}.` });
      setRequester('');
      setReceived(today());
      onAdded();
    } catch (failure) {
      setMessage({ ok: false, text: (failure as Error).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="inline-form request-form" aria-label="Record a request" onSubmit={(e) => void add(e)}>
      <label htmlFor={`${id}-kind`}>Kind</label>
      <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as Row['kind'])}>
        {KINDS.map((k) => (
          <option key={k.value} value={k.value}>
            {k.label}
          </option>
        ))}
      </select>
      <label htmlFor={`${id}-who`}>Requester (a short reference)</label>
      <input id={`${id}-who`} value={requester} maxLength={120} onChange={(e) => setRequester(e.target.value)} />
      <label htmlFor={`${id}-received`}>Received on</label>
      <input
        id={`${id}-received`}
        type="date"
        value={received}
        max={today()}
        onChange={(e) => setReceived(e.target.value)}
      />
      <button type="submit" disabled={busy}>
        Record request
      </button>
      {message && (
        <p className={message.ok ? 'success-text' : 'error-text'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </form>
  );
}

function Register({ data, reload }: { data: Listed; reload: () => void }) {
  const { summary, requests } = data;
  return (
    <>
      <p className={summary.overdue > 0 ? 'error-text' : ''} role="status" aria-label="Requests summary">
        {summary.open === 0
          ? 'No open requests.'
          : `${summary.open} open request${summary.open === 1 ? '' : 's'}, ${summary.overdue} overdue; next deadline ${summary.nextDue}.`}
      </p>
      {requests.length > 0 && (
        <table className="data-table">
          <caption className="visually-hidden">Requests</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Requester</th>
              <th scope="col">Received</th>
              <th scope="col">Answer by</th>
              <th scope="col">Status</th>
              <th scope="col">Done for it</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((r) => (
              <tr key={r.id} className={r.overdue ? 'overdue' : undefined}>
                <td>{KINDS.find((k) => k.value === r.kind)?.label ?? r.kind}</td>
                <td>{r.requester}</td>
                <td>{r.receivedOn}</td>
                <td>
                  {r.dueOn}
                  {r.extension ? ' (extended)' : ''}
                </td>
                <td>
                  {deadlineText(r)}
                  {r.outcome ? `: ${r.outcome}` : ''}
                </td>
                <td>
                  <RequestActions row={r} onChanged={reload} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function Requests() {
  const request = useApp((state) => state.request);
  const list = useRequest(() => request('requests.list', {}), []);
  const id = useId();
  return (
    <section className="panel" id="privacy-requests" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Requests from people</h2>
      <p className="hint">
        Requests about personal data (GDPR Art. 12) must be answered within one month of receipt; the deadline can be
        extended by two months with a reason. The reference you give stays on this computer and is never sent anywhere.
      </p>
      <AddRequest onAdded={list.reload} />
      <Loadable request={list} what="the requests register">
        {(data) => <Register data={data} reload={list.reload} />}
      </Loadable>
    </section>
  );
}
