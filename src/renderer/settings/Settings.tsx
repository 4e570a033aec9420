/**
 * Settings: app-wide choices (launch at login, notifications; 'settings.get'/'settings.set', which
 * the desktop app applies) and, per repository, its keys: the passwords (key slots), changing
 * the password, adding and removing one, and a new recovery kit.
 */
import { useState } from 'react';
import { RepositoryPicker } from '../common/RepositoryPicker.js';
import { LoadFailed, Loading } from '../common/States.js';
import { useApp } from '../storeContext.js';
import { useAsync } from '../useAsync.js';
import { Keys } from './Keys.js';
import '../common/common.css';
import './settings.css';

export function Settings() {
  return (
    <div className="screen settings">
      <h1>Settings</h1>
      <AppSettings />
      <section className="panel" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Passwords and recovery key</h2>
        <RepositoryPicker>{(repositoryId) => <Keys key={repositoryId} repositoryId={repositoryId} />}</RepositoryPicker>
      </section>
    </div>
  );
}

function AppSettings() {
  const call = useApp((state) => state.call);
  const { result, reload } = useAsync(() => call('settings.get', {}), []);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [override, setOverride] = useState<{ launchAtLogin: boolean; notifications: boolean } | null>(null);

  const settings = override ?? (result?.state === 'ready' ? result.value : null);

  /** Shows the choice at once, saves it, and puts the stored value back if saving failed. */
  async function change(key: 'launchAtLogin' | 'notifications', value: boolean) {
    if (!settings) return;
    const before = settings;
    setOverride({ ...settings, [key]: value });
    setSaving(true);
    setError(null);
    try {
      setOverride(await call('settings.set', { [key]: value }));
    } catch (failure) {
      setOverride(before);
      setError((failure as Error).message);
    } finally {
      setSaving(false);
    }
  }

  return (
    <section className="panel" aria-labelledby="app-settings-heading">
      <h2 id="app-settings-heading">This computer</h2>
      {result?.state === 'loading' && <Loading what="the settings" />}
      {result?.state === 'error' && <LoadFailed what="the settings" message={result.message} retry={reload} />}
      {settings && (
        <ul className="choice-list">
          <li>
            <label>
              <input
                type="checkbox"
                checked={settings.launchAtLogin}
                disabled={saving}
                onChange={(event) => void change('launchAtLogin', event.target.checked)}
              />
              <span>
                Launch at login
                <span className="hint">
                  {' '}
                  — start Cairn in the tray when you log in, so scheduled backups keep running.
                </span>
              </span>
            </label>
          </li>
          <li>
            <label>
              <input
                type="checkbox"
                checked={settings.notifications}
                disabled={saving}
                onChange={(event) => void change('notifications', event.target.checked)}
              />
              <span>
                Notifications
                <span className="hint">
                  {' '}
                  — tell me when a backup, restore or check fails, or no backup ran for days.
                </span>
              </span>
            </label>
          </li>
        </ul>
      )}
      <p className="hint">The desktop app applies these; the browser version (cairn serve) keeps them for it.</p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
