/**
 * "Erase all my data" (privacy.eraseAll): a dialog that needs the typed words "erase everything"
 * and an absolute path for the receipt; then every repository (key slots first, then objects and
 * folder) and the app data are erased. The receipt stays on screen and the app returns to its
 * empty state.
 */
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { useApp } from '../storeContext.js';
import { formatDateTime } from '../when.js';

const WORDS = 'erase everything';

type Receipt = Result<'privacy.eraseAll'>;

function ReceiptView({ receipt }: { receipt: Receipt }) {
  const navigate = useApp((state) => state.navigate);
  const id = useId();
  return (
    <section className="erase-result" aria-labelledby={`${id}-h`} role="status">
      <h3 id={`${id}-h`}>{receipt.completed ? 'Everything is erased' : 'The erasure did not finish'}</h3>
      <dl className="kit-facts">
        <dt>Receipt</dt>
        <dd className="path">{receipt.receiptFile}</dd>
        <dt>Key slots destroyed</dt>
        <dd>{receipt.keySlotsDestroyedAt ? formatDateTime(receipt.keySlotsDestroyedAt) : 'not done'}</dd>
        <dt>Stored data deleted</dt>
        <dd>{receipt.objectsDeletedAt ? formatDateTime(receipt.objectsDeletedAt) : 'not done'}</dd>
        <dt>App data deleted</dt>
        <dd>{receipt.appDataDeletedAt ? formatDateTime(receipt.appDataDeletedAt) : 'not done'}</dd>
      </dl>
      {receipt.repositories.length > 0 && (
        <ul aria-label="Repositories erased">
          {receipt.repositories.map((r) => (
            <li key={r.location}>
              {r.label ?? r.location}: {r.keySlotsDestroyed} key slot(s) destroyed,{' '}
              {r.folderRemoved ? 'folder removed' : 'folder not removed'}
              {r.note ? ` (${r.note})` : ''}
            </li>
          ))}
        </ul>
      )}
      <p>Cairn now holds nothing about you. Keep the receipt as proof of the erasure.</p>
      <button type="button" onClick={() => navigate('first-run')}>
        Set up Cairn again
      </button>
    </section>
  );
}

export function EraseAll({ onErased }: { onErased: () => void }) {
  const request = useApp((state) => state.request);
  const loadStatus = useApp((state) => state.loadStatus);
  const loadIncidents = useApp((state) => state.loadIncidents);
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const [words, setWords] = useState('');
  const [receiptPath, setReceiptPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const id = useId();

  useEffect(() => {
    let cancelled = false;
    request('fs.list', { path: '', limit: 1 }).then(
      (listing) => {
        if (cancelled) return;
        const separator = listing.home.includes('\\') ? '\\' : '/';
        const stamp = new Date().toISOString().slice(0, 10);
        setReceiptPath((current) =>
          current === ''
            ? `${listing.home.replace(/[\\/]+$/, '')}${separator}cairn-erasure-receipt-${stamp}.json`
            : current,
        );
      },
      () => {
        // No default: the field stays empty and says what it needs.
      },
    );
    return () => {
      cancelled = true;
    };
  }, [request]);

  function open() {
    setWords('');
    setError(null);
    dialog.current?.showModal();
  }

  function close() {
    dialog.current?.close();
    opener.current?.focus();
  }

  async function erase(event: FormEvent) {
    event.preventDefault();
    if (words.trim().toLowerCase() !== WORDS) {
      setError(`Type “${WORDS}” to confirm.`);
      return;
    }
    if (!/^([a-zA-Z]:[\\/]|\/|\\\\)/.test(receiptPath.trim())) {
      setError('Give the full path of the receipt file, outside the backups and the app data folder.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await request('privacy.eraseAll', { confirm: WORDS, receipt: receiptPath.trim() });
      setReceipt(result);
      dialog.current?.close();
      onErased();
      await Promise.all([loadStatus(), loadIncidents()]);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel danger-zone" id="privacy-erase-all" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Erase everything</h2>
      <p>
        Erases every repository Cairn knows (their key slots first, overwritten where the storage allows, so that no
        password opens what is left; then all their data and folders) and everything Cairn keeps on this computer:
        settings, the catalog, the consent ledger and the audit trail. A receipt is written to a file you choose. This
        cannot be undone.
      </p>
      <p>
        Copies out of Cairn's reach can remain: old blocks on SSDs and copy-on-write disks, snapshots, backups of a
        repository, a sync tool's history. Such a copy still opens with the password it had, so that password's strength
        is what protects it.
      </p>
      <button ref={opener} type="button" className="danger" onClick={open}>
        Erase all my data
      </button>
      {receipt && <ReceiptView receipt={receipt} />}
      <dialog
        ref={dialog}
        className="erase-dialog"
        aria-labelledby={`${id}-dh`}
        onCancel={(event) => {
          // Escape does not hide an erasure that is already running.
          if (busy) event.preventDefault();
        }}
      >
        <form className="form" onSubmit={(event) => void erase(event)}>
          <h2 id={`${id}-dh`}>Erase all your data?</h2>
          <p>
            Every recovery point in every repository will be gone for good, and so will Cairn's records. Export your
            data first if you want to keep a copy.
          </p>
          <label htmlFor={`${id}-words`}>
            Type <strong>{WORDS}</strong> to confirm
          </label>
          <input
            id={`${id}-words`}
            value={words}
            onChange={(event) => setWords(event.target.value)}
            autoComplete="off"
            spellCheck={false}
          />
          <label htmlFor={`${id}-receipt`}>Write the receipt to</label>
          <input
            id={`${id}-receipt`}
            value={receiptPath}
            onChange={(event) => setReceiptPath(event.target.value)}
            spellCheck={false}
          />
          {error && (
            <p className="error-text" role="alert">
              {error}
            </p>
          )}
          {busy && (
            <p className="muted" role="status">
              Erasing…
            </p>
          )}
          <div className="button-row">
            <button
              type="submit"
              className="danger"
              disabled={busy || words.trim().toLowerCase() !== WORDS}
              aria-busy={busy}
            >
              Erase everything now
            </button>
            <button type="button" onClick={close} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      </dialog>
    </section>
  );
}
