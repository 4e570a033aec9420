/**
 * The `settings.*` methods: the app's own settings (launch at login, notifications) and the
 * optional alert webhook; a change is also sent as the `settings.updated` event so the desktop
 * shell applies it. Setting, changing or removing the webhook is an audit-trail entry naming its
 * host, never its address; `settings.testWebhook` sends a test alert and says how it went.
 */
import type { ParsedParams, Result } from '../../../contract/methods.js';
import {
  nextWebhook,
  readWebhook,
  type StoredWebhook,
  sameWebhook,
  webhookAuditDetails,
  webhookHost,
  writeWebhook,
} from '../../services/webhook-settings.js';
import { readSettings, writeSettings } from '../app-settings.js';
import type { HostServices } from '../host-services.js';
import { webhookView } from '../webhook.js';
import type { Handlers, Namespace } from './types.js';

type SettingsDeps = Pick<HostServices, 'catalog' | 'events' | 'privacy' | 'alerts'>;

export function settingsHandlers(deps: SettingsDeps): Handlers<Namespace<'settings'>> {
  return {
    'settings.get': async () => allSettings(deps),
    'settings.set': async (p) => deps.events.publish('settings.updated', changeSettings(deps, p)),
    'settings.testWebhook': (p) => deps.alerts.test(p),
  };
}

function allSettings(deps: SettingsDeps): Result<'settings.get'> {
  return {
    ...readSettings(deps.catalog),
    webhook: webhookView(readWebhook(deps.catalog), deps.alerts.lastDelivery()),
  };
}

function changeSettings(deps: SettingsDeps, p: ParsedParams<'settings.set'>): Result<'settings.set'> {
  const { webhook, ...app } = p;
  // Checked before anything is written, so a bad address changes nothing.
  const before = readWebhook(deps.catalog);
  const after = webhook === undefined ? before : nextWebhook(before, webhook);
  writeSettings(deps.catalog, app);
  if (!sameWebhook(before, after)) {
    writeWebhook(deps.catalog, after);
    if (before?.url !== after?.url) deps.alerts.forgetLastDelivery();
    if (after === null) deps.privacy.audit('alerts.webhook-removed', before ? webhookAuditDetails(before) : {});
    else if (before === null) deps.privacy.audit('alerts.webhook-set', webhookAuditDetails(after));
    else
      deps.privacy.audit('alerts.webhook-changed', {
        ...webhookAuditDetails(after),
        changed: changedParts(before, after),
      });
  }
  return allSettings(deps);
}

/** Which parts of the webhook a change touched (the address by name only). */
function changedParts(before: StoredWebhook, after: StoredWebhook): string[] {
  const parts: string[] = [];
  if (before.kind !== after.kind) parts.push('kind');
  if (before.url !== after.url) parts.push(webhookHost(before.url) === webhookHost(after.url) ? 'address' : 'host');
  if (before.pingStart !== after.pingStart) parts.push('pingStart');
  if (before.region !== after.region) parts.push('region');
  return parts;
}
