/**
 * "Export my data" (privacy.export): a ZIP of everything Cairn holds about the user (records,
 * settings, consent ledger, audit trail, incidents, tasks, recovery-point lists) written to an
 * absolute path, with a default in the home folder. The files themselves are exported by
 * restoring the latest recovery point to a plain folder, which the Restore screen does.
 */
import { type FormEvent, useEffect, useId, useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { formatBytes } from '../format.js';
import { useApp } from '../storeContext.js';

function defaultName(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `cairn-export-${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}.zip`;
}

export function ExportData() {
  const request = useApp((state) => state.request);
  const navigate = useApp((state) => state.navigate);
  const [out, setOut] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<Result<'privacy.export'> | null>(null);
  const id = useId();

  useEffect(() => {
    let cancelled = false;
    request('fs.list', { path: '', limit: 1 }).then(
      (listing) => {
        if (cancelled || touched) return;
        const separator = listing.home.includes('\\') ? '\\' : '/';
        setOut(`${listing.home.replace(/[\\/]+$/, '')}${separator}${defaultName()}`);
      },
      () => {
        // No default: the field stays empty and says what it needs.
      },
    );
    return () => {
      cancelled = true;
    };
  }, [request, touched]);

  async function run(event: FormEvent) {
    event.preventDefault();
    const path = out.trim();
    if (!/^([a-zA-Z]:[\\/]|\/|\\\\)/.test(path)) {
      setError('Give the full path of the new file, for example /home/me/cairn-export.zip.');
      return;
    }
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await request('privacy.export', { out: path }));
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" id="privacy-export" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Export my data</h2>
      <p>
        One ZIP file with everything Cairn holds about you: your settings, storage locations and regions, the consent
        ledger, the audit trail, incidents, task history and the list of recovery points, in JSON with a README and
        checksums.
      </p>
      <form className="form" onSubmit={(event) => void run(event)}>
        <label htmlFor={`${id}-out`}>Save the export as</label>
        <input
          id={`${id}-out`}
          value={out}
          onChange={(event) => {
            setTouched(true);
            setOut(event.target.value);
            setError(null);
          }}
          aria-describedby={`${id}-hint`}
          spellCheck={false}
        />
        <p id={`${id}-hint`} className="hint">
          A full path to a new file ending in .zip, in a folder that exists.
        </p>
        <div className="button-row">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            Export my data
          </button>
        </div>
      </form>
      {busy && (
        <p className="muted" role="status">
          Writing the export…
        </p>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {result && (
        <div role="status" className="export-result">
          <p className="success-text">The export is ready.</p>
          <dl className="kit-facts">
            <dt>File</dt>
            <dd className="path">{result.path}</dd>
            <dt>Size</dt>
            <dd>{formatBytes(result.bytes)}</dd>
            <dt>Files inside</dt>
            <dd>{result.files.length}</dd>
          </dl>
          {result.skippedLocked.length > 0 && (
            <p className="notice">
              {result.skippedLocked.length} locked repository(ies) are not listed in it: unlock them on the Dashboard to
              include their recovery points.
            </p>
          )}
        </div>
      )}
      <p className="hint">
        To export your files themselves, restore the latest recovery point to a plain folder:{' '}
        <button type="button" className="inline-link" onClick={() => navigate('restore')}>
          open Restore
        </button>
        .
      </p>
    </section>
  );
}
