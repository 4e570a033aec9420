/**
 * Where a repository is stored, as the person chooses it: a folder on this computer, an external
 * drive (a folder too), an SFTP server or an S3-compatible bucket, each with the fields it needs,
 * where its secrets are kept, and "Test connection". Used by First run's storage step ("Add a
 * repository") and the Dashboard's "Connect a repository"; the fields live in the caller's state.
 */
import { useId } from 'react';
import { CredentialsNote } from './CredentialsNote.js';
import { FolderPicker } from './FolderPicker.js';
import { S3Fields } from './S3Fields.js';
import { SftpFields } from './SftpFields.js';
import { isRemote, type StorageForm, type StorageKind } from './storage-form.js';
import { TestConnection } from './TestConnection.js';
import './storage.css';

const KINDS: { value: StorageKind; label: string }[] = [
  { value: 'folder', label: 'A folder on this computer' },
  { value: 'drive', label: 'An external drive' },
  { value: 'sftp', label: 'An SFTP server' },
  { value: 's3', label: 'An S3-compatible bucket' },
];

export function StorageFields({
  form,
  onChange,
  mode,
  folderLabel = 'Storage folder',
}: {
  form: StorageForm;
  onChange: (form: StorageForm) => void;
  mode: 'create' | 'connect';
  /** The folder field's label (the Dashboard's form calls it "Location"). */
  folderLabel?: string;
}) {
  const id = useId();
  const set = (change: Partial<StorageForm>) => onChange({ ...form, ...change });
  return (
    <>
      <fieldset className="choice">
        <legend>Where is it?</legend>
        <ul className="choice-list">
          {KINDS.map((kind) => (
            <li key={kind.value}>
              <label>
                <input
                  type="radio"
                  name={`${id}-kind`}
                  checked={form.kind === kind.value}
                  onChange={() => set({ kind: kind.value })}
                />
                {kind.label}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {(form.kind === 'folder' || form.kind === 'drive') && (
        <FolderPicker
          label={folderLabel}
          value={form.folder}
          onChange={(folder) => set({ folder })}
          example={form.kind === 'drive' ? '/media/backup-drive/cairn' : '/srv/backups/cairn'}
          hint={
            form.kind === 'drive'
              ? 'A folder on the drive; the drive must be connected when Cairn backs up to it.'
              : mode === 'create'
                ? 'Cairn creates the repository in this folder (a new or empty folder works best).'
                : 'The folder that holds the repository.'
          }
        />
      )}
      {form.kind === 'sftp' && <SftpFields fields={form.sftp} onChange={(sftp) => set({ sftp })} />}
      {form.kind === 's3' && <S3Fields fields={form.s3} onChange={(s3) => set({ s3 })} />}
      {isRemote(form.kind) && <CredentialsNote />}
      <TestConnection
        form={form}
        mode={mode}
        onTrust={(fingerprint) => set({ sftp: { ...form.sftp, acceptHostKey: fingerprint } })}
      />
    </>
  );
}
