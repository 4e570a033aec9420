/**
 * The fields of an SFTP location: server, port, user, the folder on the server, how Cairn signs
 * in (a key file, the SSH agent or the usual ~/.ssh keys, or a password) and an optional
 * known-hosts file. A trusted host key is shown with a way to forget it; changing the server or
 * port forgets it too, since it was trusted for that server only.
 */
import { useId } from 'react';
import type { SftpFields as Fields, SftpAuth } from './storage-form.js';

const AUTH_CHOICES: { value: SftpAuth; label: string }[] = [
  { value: 'agent', label: 'The SSH agent or my usual keys (~/.ssh)' },
  { value: 'key', label: 'A key file' },
  { value: 'password', label: 'A password' },
];

export function SftpFields({ fields, onChange }: { fields: Fields; onChange: (fields: Fields) => void }) {
  const id = useId();
  const set = (change: Partial<Fields>) => onChange({ ...fields, ...change });
  // A trusted key belongs to one server: another name or port must be trusted again.
  const setServer = (change: Partial<Fields>) => set({ ...change, acceptHostKey: '' });

  return (
    <div className="storage-fields">
      <div className="field-pair">
        <div className="form">
          <label htmlFor={`${id}-host`}>Server name or address</label>
          <input
            id={`${id}-host`}
            value={fields.host}
            placeholder="nas.example.net"
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => setServer({ host: event.target.value })}
          />
        </div>
        <div className="form port">
          <label htmlFor={`${id}-port`}>Port</label>
          <input
            id={`${id}-port`}
            value={fields.port}
            inputMode="numeric"
            onChange={(event) => setServer({ port: event.target.value })}
          />
        </div>
      </div>
      <label htmlFor={`${id}-user`}>User name on the server</label>
      <input
        id={`${id}-user`}
        value={fields.user}
        autoComplete="off"
        spellCheck={false}
        onChange={(event) => set({ user: event.target.value })}
      />
      <label htmlFor={`${id}-path`}>Folder on the server</label>
      <input
        id={`${id}-path`}
        value={fields.path}
        placeholder="/srv/backups/cairn"
        spellCheck={false}
        aria-describedby={`${id}-path-hint`}
        onChange={(event) => set({ path: event.target.value })}
      />
      <p id={`${id}-path-hint`} className="hint">
        The absolute path of the repository’s folder on the server.
      </p>
      <fieldset className="choice">
        <legend>Sign in with</legend>
        <ul className="choice-list">
          {AUTH_CHOICES.map((choice) => (
            <li key={choice.value}>
              <label>
                <input
                  type="radio"
                  name={`${id}-auth`}
                  checked={fields.auth === choice.value}
                  onChange={() => set({ auth: choice.value })}
                />
                {choice.label}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {fields.auth === 'key' && (
        <>
          <label htmlFor={`${id}-key`}>Key file</label>
          <input
            id={`${id}-key`}
            value={fields.identityFile}
            placeholder="/home/me/.ssh/id_ed25519"
            spellCheck={false}
            onChange={(event) => set({ identityFile: event.target.value })}
          />
          <label htmlFor={`${id}-passphrase`}>Key passphrase (if the key has one)</label>
          <input
            id={`${id}-passphrase`}
            type="password"
            autoComplete="off"
            value={fields.passphrase}
            onChange={(event) => set({ passphrase: event.target.value })}
          />
        </>
      )}
      {fields.auth === 'password' && (
        <>
          <label htmlFor={`${id}-password`}>Password for the server</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="off"
            value={fields.password}
            onChange={(event) => set({ password: event.target.value })}
          />
        </>
      )}
      <label htmlFor={`${id}-known-hosts`}>Known-hosts file (optional)</label>
      <input
        id={`${id}-known-hosts`}
        value={fields.knownHostsFile}
        placeholder="~/.ssh/known_hosts"
        spellCheck={false}
        aria-describedby={`${id}-known-hosts-hint`}
        onChange={(event) => set({ knownHostsFile: event.target.value })}
      />
      <p id={`${id}-known-hosts-hint`} className="hint">
        Where the keys of servers you trust are recorded; ~/.ssh/known_hosts when left empty.
      </p>
      {fields.acceptHostKey !== '' && (
        <p className="trusted-key">
          Trusted server key: <code className="fingerprint">{fields.acceptHostKey}</code>{' '}
          <button type="button" onClick={() => set({ acceptHostKey: '' })}>
            Forget this key
          </button>
        </p>
      )}
    </div>
  );
}
