/**
 * The logic of Settings → Alerts by web address: the form starts from the stored webhook with an
 * empty address field (the stored address is a secret the engine never sends back in full; left
 * empty, it is kept), is checked before it is sent (an http(s) address, or one already stored),
 * and becomes `settings.set` / `settings.testWebhook` parameters; a delivery is said in words.
 */
import type { Params, Result } from '../../contract/methods.js';
import { formatAge, type RegionCode } from '../format.js';

export type WebhookView = NonNullable<Result<'settings.get'>['webhook']>;
export type WebhookKind = WebhookView['kind'];
export type Delivery = Result<'settings.testWebhook'>;

export interface WebhookForm {
  kind: WebhookKind;
  /** A new address; empty keeps the stored one. */
  url: string;
  pingStart: boolean;
  /** '' for unknown. */
  region: RegionCode | '';
}

export const KIND_NAMES: Record<WebhookKind, string> = {
  healthchecks: 'Ping URL (healthchecks.io and monitors that follow it)',
  ntfy: 'ntfy topic (a notification on your phone)',
};

const EVENT_NAMES: Record<string, string> = {
  'backup.started': 'backup started',
  'backup.succeeded': 'backup succeeded',
  'backup.failed': 'backup failed',
  'check.damage': 'check found damage',
  test: 'test',
};

export function formFrom(stored: WebhookView | null): WebhookForm {
  return {
    kind: stored?.kind ?? 'healthchecks',
    url: '',
    pingStart: stored?.pingStart ?? false,
    region: stored?.region ?? '',
  };
}

/** Why the typed address cannot be used (null: it can), as the engine would say it. */
function urlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'That is not a web address: it should look like https://hc-ping.com/… or https://ntfy.sh/…';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return 'Alerts can only be sent to http:// or https:// addresses.';
  }
  return null;
}

/** What keeps the form from being saved (null: nothing). */
export function formProblem(stored: WebhookView | null, form: WebhookForm): string | null {
  if (!form.url.trim()) return stored ? null : 'Enter the web address alerts are sent to.';
  return urlProblem(form.url);
}

/** What "Send a test" can test: the typed address, else the stored one (null: neither). */
export function testProblem(stored: WebhookView | null, form: WebhookForm): string | null {
  if (!form.url.trim()) return stored ? null : 'Enter the web address to send a test to.';
  return urlProblem(form.url);
}

/** The `webhook` of `settings.set` for the form. */
export function formParams(form: WebhookForm): NonNullable<Params<'settings.set'>['webhook']> {
  return {
    kind: form.kind,
    ...(form.url.trim() ? { url: form.url.trim() } : {}),
    pingStart: form.kind === 'healthchecks' && form.pingStart,
    region: form.region === '' ? null : form.region,
  };
}

/** `settings.testWebhook` for the form: the typed address, else the stored webhook. */
export function testParams(form: WebhookForm): Params<'settings.testWebhook'> {
  return form.url.trim() ? { kind: form.kind, url: form.url.trim() } : {};
}

/** "Sent: ntfy.sh answered 200 OK." or "Not sent: hc-ping.com does not know this address (404 Not Found)." */
export function describeDelivery(delivery: Delivery): string {
  return `${delivery.ok ? 'Sent' : 'Not sent'}: ${delivery.message}.`;
}

/** "Last alert (backup succeeded), 5 minutes ago: sent: …" */
export function describeLastDelivery(delivery: Delivery, now: Date): string {
  const what = EVENT_NAMES[delivery.event] ?? delivery.event;
  return `Last alert (${what}), ${formatAge(delivery.at, now)}: ${describeDelivery(delivery).replace(/^S|^N/, (c) => c.toLowerCase())}`;
}
