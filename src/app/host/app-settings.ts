/**
 * App-wide settings ('settings.get' / 'settings.set'), kept in the catalog as `app.settings`:
 * launch at login (on by default: a backup app must keep protecting files after a restart) and
 * desktop notifications (on by default). The desktop shell reads them at start and applies every
 * change it is told about through the 'settings.updated' event.
 */
import type { Catalog } from '../catalog/catalog.js';

export interface AppSettingsValue {
  launchAtLogin: boolean;
  notifications: boolean;
}

const KEY = 'app.settings';
export const DEFAULT_SETTINGS: AppSettingsValue = { launchAtLogin: true, notifications: true };

export function readSettings(catalog: Catalog): AppSettingsValue {
  const stored = catalog.getSetting<unknown>(KEY, null);
  const value =
    stored && typeof stored === 'object' ? (stored as Partial<Record<keyof AppSettingsValue, unknown>>) : {};
  return {
    launchAtLogin: typeof value.launchAtLogin === 'boolean' ? value.launchAtLogin : DEFAULT_SETTINGS.launchAtLogin,
    notifications: typeof value.notifications === 'boolean' ? value.notifications : DEFAULT_SETTINGS.notifications,
  };
}

export function writeSettings(catalog: Catalog, change: Partial<AppSettingsValue>): AppSettingsValue {
  const next = { ...readSettings(catalog) };
  if (change.launchAtLogin !== undefined) next.launchAtLogin = change.launchAtLogin;
  if (change.notifications !== undefined) next.notifications = change.notifications;
  catalog.setSetting(KEY, { ...next });
  return next;
}
