/**
 * Settings: app-wide choices (launch at login, notifications; 'settings.get'/'settings.set', which
 * the desktop app applies), per repository its storage (how Cairn reaches an SFTP server or an S3
 * bucket, and the transfer limits; StorageSettings.tsx), its region with the instruction to store
 * it outside the chosen region (../privacy/TransferInstruction.tsx) and its keys: the passwords (key slots),
 * changing the password, adding and removing one, and a new recovery kit; and in the desktop app
 * the passwords remembered on this computer (RememberedPasswords.tsx); and alerts by web address
 * for a computer nobody watches (AlertWebhookSettings.tsx).
 */
import { useState } from 'react';
import type { Result } from '../../contract/methods.js';
import { Loadable } from '../common/Loadable.js';
import { RepositoryPicker } from '../common/RepositoryPicker.js';
import { RepositoryRegion } from '../privacy/TransferInstruction.js';
import { useApp } from '../storeContext.js';
import { useRequest } from '../useRequest.js';
import { AlertWebhookSettings } from './AlertWebhookSettings.js';
import { Keys } from './Keys.js';
import { RememberedPasswords } from './RememberedPasswords.js';
import { StorageSettings } from './StorageSettings.js';
import '../common/common.css';
import './settings.css';

export function Settings() {
  return (
    <div className="screen settings">
      <h1>Settings</h1>
      <AppSettings />
      <AlertWebhookSettings />
      <StorageSettings />
      <RepositoryRegion />
      <section className="panel" aria-labelledby="keys-heading">
        <h2 id="keys-heading">Passwords and recovery key</h2>
        <RepositoryPicker>{(repositoryId) => <Keys key={repositoryId} repositoryId={repositoryId} />}</RepositoryPicker>
      </section>
      <RememberedPasswords />
    </div>
  );
}

type AppSettingsData = Result<'settings.get'>;
/** The on/off choices of this panel (the webhook has its own). */
type Toggle = 'launchAtLogin' | 'notifications';

function AppSettings() {
  const request = useApp((state) => state.request);
  const stored = useRequest(() => request('settings.get', {}), []);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [override, setOverride] = useState<AppSettingsData | null>(null);

  const settings = override ?? stored.data ?? null;

  /** Shows the choice at once, saves it, and puts the stored value back if saving failed. */
  async function change(key: Toggle, value: boolean) {
    if (!settings) return;
    const before = settings;
    setOverride({ ...settings, [key]: value });
    setSaving(true);
    setError(null);
    try {
      setOverride(await request('settings.set', { [key]: value }));
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
      <Loadable request={stored} what="the settings">
        {(loaded) => <Choices settings={override ?? loaded} saving={saving} change={change} />}
      </Loadable>
      <p className="hint">The desktop app applies these; the browser version (cairn serve) keeps them for it.</p>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function Choices({
  settings,
  saving,
  change,
}: {
  settings: AppSettingsData;
  saving: boolean;
  change: (key: Toggle, value: boolean) => Promise<void>;
}) {
  return (
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
            <span className="hint"> — start Cairn in the tray when you log in, so scheduled backups keep running.</span>
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
            <span className="hint"> — tell me when a backup, restore or check fails, or no backup ran for days.</span>
          </span>
        </label>
      </li>
    </ul>
  );
}
