/**
 * The optional alert webhook's setting, kept in the catalog's settings as `alerts.webhook` (off
 * while absent): which kind of receiver (a healthchecks.io-style ping URL or an ntfy topic URL),
 * its address, whether a backup's start is pinged too, and the receiver's region if the user
 * declared one. Also what the app may show or record of it: the address with its secret parts
 * hidden (user information, query values and the path, which holds a healthchecks UUID or an ntfy
 * topic, both as good as passwords) and the host name, which the records of processing list as a
 * recipient and the audit trail names. The full address leaves this module only to be called.
 */
import { CairnError } from '../../engine/errors.js';
import type { Catalog, JsonObject } from '../catalog/catalog.js';
import { isRegion, type RegionName } from '../privacy/regions.js';

export const WEBHOOK_KINDS = ['healthchecks', 'ntfy'] as const;
export type WebhookKind = (typeof WEBHOOK_KINDS)[number];

export interface StoredWebhook {
  kind: WebhookKind;
  /** The full address, secrets included: only ever called, never shown or logged. */
  url: string;
  pingStart: boolean;
  region: RegionName | null;
}

/** What `settings.set` asks for; without `url` the stored address is kept. */
export interface WebhookChange {
  kind: WebhookKind;
  url?: string;
  pingStart?: boolean;
  region?: RegionName | null;
}

const KEY = 'alerts.webhook';
const MAX_URL = 2048;

function invalid(message: string): CairnError {
  return new CairnError('invalid-argument', message);
}

/**
 * The address as a URL, checked for its kind. Error messages never repeat the address, since it
 * may carry a password or a token.
 */
export function parseWebhookUrl(text: string, kind: WebhookKind): URL {
  const trimmed = text.trim();
  if (!trimmed) throw invalid('enter the web address alerts are sent to');
  if (trimmed.length > MAX_URL) throw invalid(`the address is too long (at most ${MAX_URL} characters)`);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid('that is not a web address: it should look like https://hc-ping.com/… or https://ntfy.sh/…');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`alerts can only be sent to http:// or https:// addresses, not ${url.protocol}//`);
  }
  if (!url.hostname) throw invalid('the address names no host');
  url.hash = '';
  const segments = url.pathname.split('/').filter(Boolean);
  if (kind === 'ntfy' && segments.length === 0) {
    throw invalid('an ntfy address names its topic, like https://ntfy.sh/my-backups-x7q2');
  }
  if (kind === 'healthchecks') {
    if (segments.length === 0) {
      throw invalid("a healthchecks address is the check's ping URL, like https://hc-ping.com/<uuid>");
    }
    const last = segments[segments.length - 1];
    if (last === 'fail' || last === 'start' || last === 'log') {
      throw invalid(`give the check's plain ping URL, without /${last}: Cairn adds /fail and /start itself`);
    }
  }
  return url;
}

/** The host alerts go to (with a port other than the default). */
export function webhookHost(url: string | URL): string {
  return (typeof url === 'string' ? new URL(url) : url).host;
}

/**
 * The address as it may be shown: user information and query values replaced by "•••", each path
 * segment cut to its first 4 characters ("https://hc-ping.com/3f1a…").
 */
export function redactWebhookUrl(url: string | URL): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  const userInfo = u.username || u.password ? '•••@' : '';
  const path = u.pathname
    .split('/')
    .map((segment) => (segment.length > 4 ? `${segment.slice(0, 4)}…` : segment))
    .join('/');
  const query = [...u.searchParams.keys()].map((k) => `${k.length > 16 ? `${k.slice(0, 16)}…` : k}=•••`).join('&');
  return `${u.protocol}//${userInfo}${u.host}${path}${query ? `?${query}` : ''}`;
}

/** The stored webhook, or null when none is set (or the stored one is unreadable). */
export function readWebhook(catalog: Pick<Catalog, 'getSetting'>): StoredWebhook | null {
  const stored = catalog.getSetting<unknown>(KEY, null);
  if (!stored || typeof stored !== 'object') return null;
  const s = stored as Record<string, unknown>;
  if (typeof s.url !== 'string' || !(WEBHOOK_KINDS as readonly unknown[]).includes(s.kind)) return null;
  const kind = s.kind as WebhookKind;
  try {
    parseWebhookUrl(s.url, kind);
  } catch {
    return null; // damaged: treated as off, and shown so
  }
  return {
    kind,
    url: s.url,
    pingStart: s.pingStart === true,
    region: typeof s.region === 'string' && isRegion(s.region) ? s.region : null,
  };
}

/**
 * The webhook after `change` (null removes it), checked: a change without an address keeps the
 * stored one, which must then exist and suit the kind asked for.
 */
export function nextWebhook(current: StoredWebhook | null, change: WebhookChange | null): StoredWebhook | null {
  if (change === null) return null;
  const text = change.url?.trim() ? change.url : current?.url;
  if (text === undefined) throw invalid('enter the web address alerts are sent to');
  const url = parseWebhookUrl(text, change.kind);
  return {
    kind: change.kind,
    url: url.href,
    pingStart: change.kind === 'healthchecks' && (change.pingStart ?? current?.pingStart ?? false),
    region: change.region === undefined ? (current?.region ?? null) : change.region,
  };
}

/** Stores the webhook; null removes it. */
export function writeWebhook(catalog: Pick<Catalog, 'setSetting' | 'deleteSetting'>, next: StoredWebhook | null): void {
  if (next === null) {
    catalog.deleteSetting(KEY);
    return;
  }
  catalog.setSetting(KEY, { ...next } as unknown as JsonObject);
}

/** What the audit trail records of a webhook: never its address, only where it points. */
export function webhookAuditDetails(w: StoredWebhook): {
  kind: WebhookKind;
  host: string;
  region: string;
  pingStart: boolean;
} {
  return { kind: w.kind, host: webhookHost(w.url), region: w.region ?? 'unknown', pingStart: w.pingStart };
}

/** Whether two settings differ (the address counts, though the audit trail names only its host). */
export function sameWebhook(a: StoredWebhook | null, b: StoredWebhook | null): boolean {
  if (a === null || b === null) return a === b;
  return a.kind === b.kind && a.url === b.url && a.pingStart === b.pingStart && a.region === b.region;
}

/** The receiver as the records of processing list it while a webhook is set. */
export function webhookRecipient(catalog: Pick<Catalog, 'getSetting'>): { host: string; region: string | null } | null {
  const stored = readWebhook(catalog);
  return stored ? { host: webhookHost(stored.url), region: stored.region } : null;
}
