/**
 * Connects an existing repository (`repo.connect`): where it is (a folder, a drive, an SFTP server
 * or an S3 bucket, with "Test connection"), what to call it, its region and password.
 */

import { type FormEvent, useId, useState } from 'react';
import { RegionInstruction, regionTransferParam } from '../common/RegionInstruction.js';
import { StorageFields } from '../common/StorageFields.js';
import { initialStorageForm, locationParams, locationProblem, remoteRegionProblem } from '../common/storage-form.js';
import { REGION_NAMES, type RegionCode } from '../format.js';
import { useApp } from '../storeContext.js';

const REGIONS = Object.keys(REGION_NAMES) as RegionCode[];

export function ConnectForm({ another }: { another: boolean }) {
  const connect = useApp((state) => state.connect);
  const [storage, setStorage] = useState(initialStorageForm);
  const [label, setLabel] = useState('');
  const [region, setRegion] = useState<RegionCode>('this-device');
  const [instruction, setInstruction] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [connected, setConnected] = useState<string | null>(null);
  const id = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = locationProblem(storage) ?? remoteRegionProblem(storage.kind, region);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    setError(null);
    setConnected(null);
    try {
      const info = await connect({
        ...locationParams(storage),
        label: label.trim(),
        region,
        ...regionTransferParam(instruction),
        password,
      });
      setConnected(info.label);
      setStorage(initialStorageForm());
      setLabel('');
      setInstruction('');
      setPassword('');
    } catch (failure) {
      setError((failure as Error).message);
    } finally {
      setBusy(false);
    }
  }

  const title = another ? 'Connect another repository' : 'Connect a repository';
  return (
    <section className="panel" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>{title}</h2>
      <form className="form" onSubmit={(event) => void submit(event)} aria-labelledby={`${id}-heading`}>
        <StorageFields form={storage} onChange={setStorage} mode="connect" folderLabel="Location" />
        <label htmlFor={`${id}-label`}>Name</label>
        <input
          id={`${id}-label`}
          required
          value={label}
          placeholder="Backup disk"
          onChange={(event) => setLabel(event.target.value)}
        />
        <label htmlFor={`${id}-region`}>Region where the data is stored</label>
        <select id={`${id}-region`} value={region} onChange={(event) => setRegion(event.target.value as RegionCode)}>
          {REGIONS.map((code) => (
            <option key={code} value={code}>
              {REGION_NAMES[code]}
            </option>
          ))}
        </select>
        <RegionInstruction region={region} value={instruction} onChange={setInstruction} />
        <label htmlFor={`${id}-password`}>Password</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
            Connect
          </button>
        </div>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        {connected && (
          <p className="success-text" role="status">
            Connected {connected}.
          </p>
        )}
      </form>
    </section>
  );
}
