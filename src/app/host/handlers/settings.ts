/**
 * The `settings.*` methods: the app's own settings (launch at login, notifications); a change is
 * also sent as the `settings.updated` event so the desktop shell applies it.
 */
import { readSettings, writeSettings } from '../app-settings.js';
import type { HostServices } from '../host-services.js';
import type { Handlers, Namespace } from './types.js';

export function settingsHandlers(deps: Pick<HostServices, 'catalog' | 'events'>): Handlers<Namespace<'settings'>> {
  return {
    'settings.get': async () => readSettings(deps.catalog),
    'settings.set': async (p) => deps.events.publish('settings.updated', writeSettings(deps.catalog, p)),
  };
}
