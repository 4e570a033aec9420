/**
 * "Test connection": asks the engine to reach the location with what was typed so far
 * (`repo.testLocation`) and says in plain words what it found — whether a repository is there,
 * or what went wrong (the engine words each kind of failure). A server whose key Cairn has never
 * seen shows the key's fingerprint and algorithm with "Trust this server", which records the
 * fingerprint and tests again; a server whose key changed gets a warning and no way to accept it.
 * An answer is shown only while the fields are still the ones it was given.
 */
import { useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { useApp } from '../storeContext.js';
import { locationParams, locationProblem, type StorageForm } from './storage-form.js';

type LocationTest = Result<'repo.testLocation'>;
type Found = Extract<LocationTest, { reachable: true }>;
type Failed = Extract<LocationTest, { reachable: false }>;

export function TestConnection({
  form,
  mode,
  onTrust,
}: {
  form: StorageForm;
  mode: 'create' | 'connect';
  /** Records a trusted host key fingerprint in the fields. */
  onTrust: (fingerprint: string) => void;
}) {
  const request = useApp((state) => state.request);
  const [answer, setAnswer] = useState<{ key: string; result: LocationTest } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const problem = locationProblem(form);
  const current = JSON.stringify(locationParams(form));
  const shown = answer?.key === current ? answer.result : null;

  async function test(fields: StorageForm) {
    const params = locationParams(fields);
    setBusy(true);
    setError(null);
    try {
      const result = await request('repo.testLocation', params);
      setAnswer({ key: JSON.stringify(params), result });
    } catch (failure) {
      setAnswer(null);
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  function trust(fingerprint: string) {
    onTrust(fingerprint);
    void test({ ...form, sftp: { ...form.sftp, acceptHostKey: fingerprint } });
  }

  return (
    <div className="test-connection">
      <div className="button-row">
        <button type="button" onClick={() => void test(form)} disabled={problem !== null || busy} aria-busy={busy}>
          Test connection
        </button>
        {busy && (
          <span className="muted" role="status">
            Connecting…
          </span>
        )}
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {shown?.reachable === true && <Reached result={shown} mode={mode} />}
      {shown?.reachable === false &&
        (shown.problem === 'missing-bucket' && mode === 'create' ? (
          <p className="notice" role="status">
            The bucket “{form.s3.bucket.trim()}” does not exist yet: Cairn creates it with the new repository. Check its
            name before you go on.
          </p>
        ) : (
          <Refused result={shown} onTrust={trust} busy={busy} />
        ))}
    </div>
  );
}

function Reached({ result, mode }: { result: Found; mode: 'create' | 'connect' }) {
  const what = result.repositoryExists
    ? mode === 'create'
      ? 'A Cairn repository is already there: choose “Connect a repository that already exists” to use it, or pick another place for a new one.'
      : 'A Cairn repository is there, ready to connect.'
    : mode === 'create'
      ? 'The place is ready for a new repository.'
      : 'There is no Cairn repository here yet: check the place, or create a new repository instead.';
  return (
    <div className={result.repositoryExists === (mode === 'connect') ? 'success-text' : 'notice'} role="status">
      <p>Connected to {result.location}.</p>
      <p>{what}</p>
      {result.reportedRegion && <p>The storage reports its region as {result.reportedRegion}.</p>}
    </div>
  );
}

function Refused({ result, onTrust, busy }: { result: Failed; onTrust: (fingerprint: string) => void; busy: boolean }) {
  const key = result.hostKey;
  if (result.problem === 'host-key-unknown' && key) {
    return (
      <div className="panel host-key" role="status">
        <p>{result.message}</p>
        <KeyFacts hostKey={key} />
        <button type="button" className="primary" disabled={busy} onClick={() => onTrust(key.fingerprint)}>
          Trust this server
        </button>
      </div>
    );
  }
  if (result.problem === 'host-key-changed') {
    return (
      <div className="panel panel-error host-key" role="alert">
        <p>
          <strong>{result.message}</strong>
        </p>
        {key && <KeyFacts hostKey={key} />}
      </div>
    );
  }
  return (
    <p className="error-text" role="alert">
      {result.message}
    </p>
  );
}

function KeyFacts({ hostKey }: { hostKey: NonNullable<Failed['hostKey']> }) {
  return (
    <dl className="key-facts">
      <dt>Server</dt>
      <dd>{hostKey.port === 22 ? hostKey.host : `${hostKey.host}:${hostKey.port}`}</dd>
      <dt>Key type</dt>
      <dd>{hostKey.algorithm}</dd>
      <dt>Fingerprint</dt>
      <dd>
        <code className="fingerprint">{hostKey.fingerprint}</code>
      </dd>
    </dl>
  );
}
