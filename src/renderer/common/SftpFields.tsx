/**
 * The fields of an SFTP location: server, port, user, the folder on the server, how Cairn signs
 * in (a key file, the SSH agent or the usual ~/.ssh keys, or a password) and an optional
 * known-hosts file. A trusted host key is shown with a way to forget it; changing the server or
 * port forgets it too, since it was trusted for that server only. The signing-in part is its own
 * component, which Settings → Storage shows too (settings/SignInFields.tsx).
 */
import { useId } from 'react';
import { type SftpFields as Fields, heldHint, type SftpAuth } from './storage-form.js';

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
            placeholder="e.g. nas.example.net"
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
        placeholder="e.g. /srv/backups/cairn"
        spellCheck={false}
        aria-describedby={`${id}-path-hint`}
        onChange={(event) => set({ path: event.target.value })}
      />
      <p id={`${id}-path-hint`} className="hint">
        The absolute path of the repository’s folder on the server.
      </p>
      <SftpSignInFields values={fields} set={set} />
    </div>
  );
}

/** What the signing-in part edits, named as in First run's fields. */
export type SftpSignInValues = Pick<
  Fields,
  'auth' | 'identityFile' | 'passphrase' | 'password' | 'knownHostsFile' | 'acceptHostKey'
>;

/**
 * How Cairn signs in to the server, the known-hosts file and the trusted server key. First run
 * explains the fields; Settings → Storage, which edits saved storage, gives `saved` instead and
 * says under each secret field whether one is held for the session (never its value: a typed one
 * replaces it).
 */
export function SftpSignInFields({
  values,
  set,
  saved,
}: {
  values: SftpSignInValues;
  set: (change: Partial<SftpSignInValues>) => void;
  saved?: { passphraseHeld: boolean; passwordHeld: boolean };
}) {
  const id = useId();
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
                  checked={values.auth === choice.value}
                  onChange={() => set({ auth: choice.value })}
                />
                {choice.label}
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {values.auth === 'key' && (
        <>
          <label htmlFor={`${id}-key`}>Key file</label>
          <input
            id={`${id}-key`}
            value={values.identityFile}
            placeholder={saved ? undefined : 'e.g. ~/.ssh/id_ed25519'}
            spellCheck={false}
            onChange={(event) => set({ identityFile: event.target.value })}
          />
          <label htmlFor={`${id}-passphrase`}>{saved ? 'Key passphrase' : 'Key passphrase (if the key has one)'}</label>
          <input
            id={`${id}-passphrase`}
            type="password"
            autoComplete="off"
            value={values.passphrase}
            aria-describedby={saved ? `${id}-passphrase-hint` : undefined}
            onChange={(event) => set({ passphrase: event.target.value })}
          />
          {saved && (
            <p id={`${id}-passphrase-hint`} className="hint">
              {heldHint(saved.passphraseHeld)}
            </p>
          )}
        </>
      )}
      {values.auth === 'password' && (
        <>
          <label htmlFor={`${id}-password`}>Password for the server</label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete="off"
            value={values.password}
            aria-describedby={saved ? `${id}-password-hint` : undefined}
            onChange={(event) => set({ password: event.target.value })}
          />
          {saved && (
            <p id={`${id}-password-hint`} className="hint">
              {heldHint(saved.passwordHeld)}
            </p>
          )}
        </>
      )}
      <label htmlFor={`${id}-known-hosts`}>Known-hosts file (optional)</label>
      <input
        id={`${id}-known-hosts`}
        value={values.knownHostsFile}
        placeholder="default: ~/.ssh/known_hosts"
        spellCheck={false}
        aria-describedby={saved ? undefined : `${id}-known-hosts-hint`}
        onChange={(event) => set({ knownHostsFile: event.target.value })}
      />
      {!saved && (
        <p id={`${id}-known-hosts-hint`} className="hint">
          Where the keys of servers you trust are recorded; ~/.ssh/known_hosts when left empty.
        </p>
      )}
      {values.acceptHostKey !== '' && (
        <p className="trusted-key">
          Trusted server key: <code className="fingerprint">{values.acceptHostKey}</code>{' '}
          <button type="button" onClick={() => set({ acceptHostKey: '' })}>
            Forget this key
          </button>
        </p>
      )}
    </>
  );
}
