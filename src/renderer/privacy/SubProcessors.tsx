/**
 * Recipients and sub-processors (privacy.overview, privacy.setSubProcessors): who receives the
 * data (as Cairn knows it) and an editable list of the sub-processors the user relies on, such as
 * a storage provider, each with its role and region.
 */
import { type FormEvent, useId, useState } from 'react';
import type { z } from 'zod';
import type { SubProcessor } from '../../contract/schemas.js';
import { Loadable } from '../common/Loadable.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';

type Row = z.output<typeof SubProcessor>;

function Editor({ initial, onSaved }: { initial: Row[]; onSaved: () => void }) {
  const request = useApp((state) => state.request);
  const [rows, setRows] = useState<Row[]>(initial);
  const [draft, setDraft] = useState<Row>({ name: '', role: '', region: '' });
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const id = useId();

  async function save(next: Row[]) {
    setBusy(true);
    setMessage(null);
    try {
      const saved = await request('privacy.setSubProcessors', { subProcessors: next });
      setRows(saved);
      setMessage({ ok: true, text: 'Sub-processors saved.' });
      onSaved();
      return true;
    } catch (failure) {
      setMessage({ ok: false, text: (failure as Error).message });
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function add(event: FormEvent) {
    event.preventDefault();
    if (draft.name.trim() === '') {
      setMessage({ ok: false, text: 'Give the sub-processor a name.' });
      return;
    }
    const row = { name: draft.name.trim(), role: draft.role.trim(), region: draft.region.trim() };
    if (await save([...rows, row])) setDraft({ name: '', role: '', region: '' });
  }

  return (
    <>
      {rows.length === 0 ? (
        <p className="muted">No sub-processors listed. Add one if a company stores or handles the backups for you.</p>
      ) : (
        <table className="data-table">
          <caption className="visually-hidden">Sub-processors</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Region</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => (
              <tr key={`${row.name}|${row.role}|${row.region}`}>
                <td>{row.name}</td>
                <td>{row.role}</td>
                <td>{row.region}</td>
                <td>
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Remove ${row.name}`}
                    onClick={() => void save(rows.filter((_, i) => i !== index))}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form
        className="inline-form sub-processor-form"
        onSubmit={(event) => void add(event)}
        aria-label="Add a sub-processor"
      >
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} />
        <label htmlFor={`${id}-role`}>Role</label>
        <input id={`${id}-role`} value={draft.role} onChange={(e) => setDraft({ ...draft, role: e.target.value })} />
        <label htmlFor={`${id}-region`}>Region</label>
        <input
          id={`${id}-region`}
          value={draft.region}
          onChange={(e) => setDraft({ ...draft, region: e.target.value })}
        />
        <button type="submit" disabled={busy}>
          Add sub-processor
        </button>
      </form>
      {message && (
        <p className={message.ok ? 'success-text' : 'error-text'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </>
  );
}

export function SubProcessors() {
  const request = useApp((state) => state.request);
  const overview = useRequest(() => request('privacy.overview', {}), []);
  const id = useId();
  return (
    <section className="panel" id="privacy-recipients" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Recipients and sub-processors</h2>
      <Loadable request={overview} what="the recipients">
        {(data) => (
          <>
            <h3>Recipients</h3>
            {data.recipients.length === 0 ? (
              <p className="muted">Nobody receives your data: it stays with you and your storage locations.</p>
            ) : (
              <ul>
                {data.recipients.map((r) => (
                  <li key={`${r.name}-${r.role}`}>
                    <strong>{r.name}</strong> — {r.role} ({r.region})
                  </li>
                ))}
              </ul>
            )}
            <h3>Sub-processors</h3>
            <Editor initial={data.subProcessors} onSaved={overview.reload} />
          </>
        )}
      </Loadable>
    </section>
  );
}
