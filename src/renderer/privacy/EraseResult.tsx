/**
 * What an erasure did, shown once its 'erase' task settles: the path (as the screen asked for it:
 * the task history never names it), the recovery points rewritten or forgotten, when the data was
 * physically deleted, whether the path is still on this computer and which backed-up folders now
 * exclude it, and saving the receipt with the path named to a file the user chooses
 * (privacy.saveReceipt) — the one copy that names it.
 */
import { type FormEvent, useEffect, useId, useState } from 'react';
import { formatBytes } from '../format.js';
import { useApp } from '../storeContext.js';
import { formatDateTime } from '../when.js';

interface Folder {
  id: number;
  path: string;
}

interface OnDisk {
  stillOnDisk: boolean;
  excludedFrom: Folder[];
  notExcludedFrom: Folder[];
  foldersInside: number[];
}

function folders(value: unknown): Folder[] {
  return Array.isArray(value)
    ? value.filter((f): f is Folder => typeof f?.id === 'number' && typeof f?.path === 'string')
    : [];
}

function onDiskOf(result: Record<string, unknown>): OnDisk | null {
  const o = result.onDisk as Record<string, unknown> | undefined;
  if (!o || typeof o.stillOnDisk !== 'boolean') return null;
  return {
    stillOnDisk: o.stillOnDisk,
    excludedFrom: folders(o.excludedFrom),
    notExcludedFrom: folders(o.notExcludedFrom),
    foldersInside: Array.isArray(o.foldersInside) ? o.foldersInside.filter((n) => typeof n === 'number') : [],
  };
}

/** The notice about the erased path still on this computer. */
function OnDiskNotice({ path, onDisk }: { path: string; onDisk: OnDisk }) {
  if (!onDisk.stillOnDisk) return null;
  return (
    <div className="erase-on-disk" role="status">
      <p>
        <span className="path">{path}</span> still exists on this computer.
      </p>
      {onDisk.excludedFrom.length > 0 && (
        <p>
          It is now excluded from the backups of{' '}
          {onDisk.excludedFrom.map((f, i) => (
            <span key={f.id}>
              {i > 0 && ', '}
              <span className="path">{f.path}</span>
            </span>
          ))}
          , so they do not store it again. That folder's exclude list names it: it is your own setting, kept on this
          computer only.
        </p>
      )}
      {onDisk.notExcludedFrom.length > 0 && (
        <p>
          The next backup of {onDisk.notExcludedFrom.map((f) => f.path).join(', ')} stores it again: delete it, or
          exclude it there.
        </p>
      )}
      {onDisk.foldersInside.length > 0 && (
        <p>
          {onDisk.foldersInside.length} backed-up folder(s) are at or inside it: remove them from the backed-up folders,
          or the next backup stores them again.
        </p>
      )}
      {onDisk.excludedFrom.length + onDisk.notExcludedFrom.length + onDisk.foldersInside.length === 0 && (
        <p>No folder backed up into this repository holds it.</p>
      )}
    </div>
  );
}

/** Saves the receipt with the path named to a file the user chooses. */
function SaveReceipt({ repositoryId, request, path }: { repositoryId: string; request: string; path: string }) {
  const call = useApp((state) => state.request);
  const [file, setFile] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  useEffect(() => {
    let cancelled = false;
    call('fs.list', { path: '', limit: 1 }).then(
      (listing) => {
        if (cancelled) return;
        const separator = listing.home.includes('\\') ? '\\' : '/';
        setFile((current) =>
          current === '' ? `${listing.home.replace(/[\\/]+$/, '')}${separator}cairn-receipt-${request}.json` : current,
        );
      },
      () => {
        // No default: the field stays empty and says what it needs.
      },
    );
    return () => {
      cancelled = true;
    };
  }, [call, request]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setSaved((await call('privacy.saveReceipt', { repositoryId, request, path, file: file.trim() })).file);
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (saved) {
    return (
      <p role="status">
        The receipt naming the path was saved to <span className="path">{saved}</span>.
      </p>
    );
  }
  return (
    <form className="form" onSubmit={(event) => void save(event)}>
      <label htmlFor={`${id}-file`}>Save the receipt, with the path named, to</label>
      <input
        id={`${id}-file`}
        value={file}
        onChange={(event) => setFile(event.target.value)}
        spellCheck={false}
        aria-describedby={`${id}-hint`}
      />
      <p id={`${id}-hint`} className="hint">
        Cairn keeps its own copy of the receipt, which names the path only by a keyed code. The file you save here is
        the only copy that names it; keep it outside the app's data folder.
      </p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="button-row">
        <button type="submit" disabled={busy || file.trim() === ''}>
          Save the receipt
        </button>
      </div>
    </form>
  );
}

export function EraseResult({
  repositoryId,
  path,
  result,
}: {
  repositoryId: string;
  path: string;
  result: Record<string, unknown>;
}) {
  const num = (key: string) => (typeof result[key] === 'number' ? (result[key] as number) : 0);
  const onDisk = onDiskOf(result);
  const request = typeof result.requestId === 'string' ? result.requestId : null;
  return (
    <>
      <dl className="kit-facts">
        <dt>Path</dt>
        <dd className="path">{path}</dd>
        <dt>Recovery points rewritten</dt>
        <dd>{num('recoveryPointsRewritten')}</dd>
        {num('recoveryPointsForgotten') > 0 && (
          <>
            <dt>Recovery points forgotten (they held nothing else)</dt>
            <dd>{num('recoveryPointsForgotten')}</dd>
          </>
        )}
        <dt>Files erased</dt>
        <dd>{num('files').toLocaleString()}</dd>
        <dt>Space freed</dt>
        <dd>{formatBytes(num('bytesFreed'))}</dd>
        {typeof result.physicallyDeletedAt === 'string' && (
          <>
            <dt>Physically deleted</dt>
            <dd>{formatDateTime(result.physicallyDeletedAt)}</dd>
          </>
        )}
        {typeof result.receiptFile === 'string' && (
          <>
            <dt>Receipt kept by Cairn</dt>
            <dd className="path">{result.receiptFile}</dd>
          </>
        )}
      </dl>
      {onDisk && <OnDiskNotice path={path} onDisk={onDisk} />}
      {request && <SaveReceipt repositoryId={repositoryId} request={request} path={path} />}
    </>
  );
}
