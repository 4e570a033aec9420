/**
 * How Cairn reaches a repository's remote storage, in Settings → Storage: for an SFTP server the
 * way of signing in (SSH agent, key file with its passphrase, or password), the known-hosts file
 * and the trusted server key; for an S3 bucket the access key (typed, or from the environment),
 * region, addressing and storage class. Held secrets are said to be held, never shown: a typed
 * value replaces them.
 */
import { useId } from 'react';
import type { SftpAuth } from '../common/storage-form.js';
import type { StorageEditor, StoredStorage } from './storage-editor.js';

const AUTH_CHOICES: { value: SftpAuth; label: string }[] = [
  { value: 'agent', label: 'The SSH agent or my usual keys (~/.ssh)' },
  { value: 'key', label: 'A key file' },
  { value: 'password', label: 'A password' },
];

interface Props {
  stored: StoredStorage;
  editor: StorageEditor;
  set: (change: Partial<StorageEditor>) => void;
}

export function SignInFields(props: Props) {
  return props.stored.kind === 'sftp' ? <SftpSignIn {...props} /> : <S3SignIn {...props} />;
}

function heldHint(held: boolean): string {
  return held ? 'Held for this session; type a new one to replace it.' : 'None held.';
}

function SftpSignIn({ stored, editor, set }: Props) {
  const id = useId();
  const held = stored.credentialsHeld;
  return (
    <>
      <fieldset className="choice">
        <legend>Sign in with</legend>
        <ul className="choice-list">
          {AUTH_CHOICES.map((choice) => (
            <li key={choice.value}>
              <label>
                <input
                  type="radio"
                  name={`${id}-auth`}
                  checked={editor.sftpAuth === choice.value}
                  onChange={() => set({ sftpAuth: choice.value })}
                />
                {choice.label}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {editor.sftpAuth === 'key' && (
        <>
          <label htmlFor={`${id}-key`}>Key file</label>
          <input
            id={`${id}-key`}
            value={editor.identityFile}
            spellCheck={false}
            onChange={(event) => set({ identityFile: event.target.value })}
          />
          <label htmlFor={`${id}-passphrase`}>Key passphrase</label>
          <input
            id={`${id}-passphrase`}
            type="password"
            autoComplete="off"
            value={editor.sftpPassphrase}
            aria-describedby={`${id}-passphrase-hint`}
            onChange={(event) => set({ sftpPassphrase: event.target.value })}
          />
          <p id={`${id}-passphrase-hint`} className="hint">
            {heldHint(held.sftpPassphrase)}
          </p>
        </>
      )}
      {editor.sftpAuth === 'password' && (
        <>
          <label htmlFor={`${id}-password`}>Password for the server</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="off"
            value={editor.sftpPassword}
            aria-describedby={`${id}-password-hint`}
            onChange={(event) => set({ sftpPassword: event.target.value })}
          />
          <p id={`${id}-password-hint`} className="hint">
            {heldHint(held.sftpPassword)}
          </p>
        </>
      )}
      <label htmlFor={`${id}-known-hosts`}>Known-hosts file (optional)</label>
      <input
        id={`${id}-known-hosts`}
        value={editor.knownHostsFile}
        placeholder="~/.ssh/known_hosts"
        spellCheck={false}
        onChange={(event) => set({ knownHostsFile: event.target.value })}
      />
      {editor.acceptHostKey !== '' && (
        <p className="trusted-key">
          Trusted server key: <code className="fingerprint">{editor.acceptHostKey}</code>{' '}
          <button type="button" onClick={() => set({ acceptHostKey: '' })}>
            Forget this key
          </button>
        </p>
      )}
    </>
  );
}

function S3SignIn({ stored, editor, set }: Props) {
  const id = useId();
  const held = stored.credentialsHeld;
  return (
    <>
      <fieldset className="choice">
        <legend>Access key</legend>
        <ul className="choice-list">
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-keys`}
                checked={editor.s3Keys === 'typed'}
                onChange={() => set({ s3Keys: 'typed' })}
              />
              Entered in Cairn
            </label>
          </li>
          <li>
            <label>
              <input
                type="radio"
                name={`${id}-keys`}
                checked={editor.s3Keys === 'environment'}
                onChange={() => set({ s3Keys: 'environment' })}
              />
              From the environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or an AWS profile)
            </label>
          </li>
        </ul>
      </fieldset>
      {editor.s3Keys === 'typed' && (
        <>
          <p className="hint">{heldHint(held.s3AccessKeyId && held.s3SecretAccessKey)}</p>
          <label htmlFor={`${id}-key-id`}>Access key ID</label>
          <input
            id={`${id}-key-id`}
            value={editor.s3AccessKeyId}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => set({ s3AccessKeyId: event.target.value })}
          />
          <label htmlFor={`${id}-secret`}>Secret access key</label>
          <input
            id={`${id}-secret`}
            type="password"
            autoComplete="off"
            value={editor.s3SecretAccessKey}
            onChange={(event) => set({ s3SecretAccessKey: event.target.value })}
          />
        </>
      )}
      <label htmlFor={`${id}-region`}>Region (optional)</label>
      <input
        id={`${id}-region`}
        value={editor.region}
        spellCheck={false}
        onChange={(event) => set({ region: event.target.value })}
      />
      <ul className="choice-list">
        <li>
          <label>
            <input
              type="checkbox"
              checked={editor.pathStyle}
              onChange={(event) => set({ pathStyle: event.target.checked })}
            />
            Path-style addressing (the bucket in the path, as Ceph and MinIO need)
          </label>
        </li>
      </ul>
      <label htmlFor={`${id}-class`}>Storage class (optional)</label>
      <input
        id={`${id}-class`}
        value={editor.storageClass}
        spellCheck={false}
        onChange={(event) => set({ storageClass: event.target.value.toUpperCase() })}
      />
    </>
  );
}
