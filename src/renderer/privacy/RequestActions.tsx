/**
 * One request of the register: what was linked to it (an export, an erasure by its receipt's
 * path hash, a frozen recovery point), and while it is open, a compact panel to link another, to
 * extend the deadline (with the reason, Art. 12(3)), to refuse (with the reason, Art. 12(4)) or
 * to mark it done. Every change goes through `requests.*` and is audited by the engine.
 */
import { type FormEvent, useId, useState } from 'react';
import type { Params, Result } from '../../contract/methods.js';
import { useApp, useAppStatus } from '../storeContext.js';

type Row = Result<'requests.list'>['requests'][number];
type Link = Params<'requests.link'>['link'];
type Action = 'done' | 'refuse' | 'extend' | 'export' | 'erasure' | 'freeze';

const ACTION_LABELS: Record<Action, string> = {
  done: 'Mark done',
  refuse: 'Refuse',
  extend: 'Extend the deadline',
  export: 'Link an export file',
  erasure: 'Link an erasure',
  freeze: 'Link a frozen recovery point',
};

const FIELD_LABELS: Record<Action, string> = {
  done: 'Note (optional)',
  refuse: 'Reason for refusing',
  extend: 'Reason for the extension',
  export: 'Export file (full path)',
  erasure: 'Erasure request id',
  freeze: 'Recovery point id',
};

function linkText(l: Row['links'][number]): string {
  if (l.kind === 'export') return `export ${l.file.split(/[\\/]/).pop()}`;
  if (l.kind === 'erasure')
    return `erasure ${l.request.slice(0, 24)}${l.pathHash ? ` (path hash ${l.pathHash.slice(0, 8)}…)` : ''}`;
  return `frozen point ${l.snapshotId.slice(0, 8)}`;
}

export function RequestActions({ row, onChanged }: { row: Row; onChanged: () => void }) {
  const request = useApp((state) => state.request);
  const repositories = useAppStatus().data?.repositories ?? [];
  const [action, setAction] = useState<Action>('done');
  const [text, setText] = useState('');
  const [repositoryId, setRepositoryId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  async function apply(event: FormEvent) {
    event.preventDefault();
    const value = text.trim();
    if (action !== 'done' && value === '') {
      setError(`${FIELD_LABELS[action]}: required.`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (action === 'done')
        await request('requests.close', { id: row.id, status: 'done', ...(value ? { outcome: value } : {}) });
      else if (action === 'refuse') await request('requests.close', { id: row.id, status: 'refused', outcome: value });
      else if (action === 'extend') await request('requests.extend', { id: row.id, reason: value });
      else {
        const link: Link =
          action === 'export'
            ? { kind: 'export', file: value }
            : action === 'erasure'
              ? { kind: 'erasure', request: value }
              : { kind: 'freeze', repositoryId: repositoryId || (repositories[0]?.id ?? ''), snapshotId: value };
        await request('requests.link', { id: row.id, link });
      }
      setText('');
      onChanged();
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {row.links.length > 0 && (
        <ul className="request-links">
          {row.links.map((l) => (
            <li key={`${l.kind}-${l.linkedAt}`}>{linkText(l)}</li>
          ))}
        </ul>
      )}
      {row.status === 'open' && (
        <details>
          <summary>Handle request {row.id.slice(-6)}</summary>
          <form className="inline-form" aria-label={`Handle request ${row.id}`} onSubmit={(e) => void apply(e)}>
            <label htmlFor={`${id}-action`}>Action</label>
            <select id={`${id}-action`} value={action} onChange={(e) => setAction(e.target.value as Action)}>
              {(Object.keys(ACTION_LABELS) as Action[])
                .filter((a) => a !== 'extend' || !row.extension)
                .map((a) => (
                  <option key={a} value={a}>
                    {ACTION_LABELS[a]}
                  </option>
                ))}
            </select>
            {action === 'freeze' && (
              <>
                <label htmlFor={`${id}-repo`}>Repository</label>
                <select id={`${id}-repo`} value={repositoryId} onChange={(e) => setRepositoryId(e.target.value)}>
                  {repositories.map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.label}
                    </option>
                  ))}
                </select>
              </>
            )}
            <label htmlFor={`${id}-text`}>{FIELD_LABELS[action]}</label>
            <input id={`${id}-text`} value={text} onChange={(e) => setText(e.target.value)} />
            <button type="submit" disabled={busy}>
              Apply
            </button>
            {error && (
              <p className="error-text" role="alert">
                {error}
              </p>
            )}
          </form>
        </details>
      )}
    </>
  );
}
