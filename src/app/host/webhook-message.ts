/**
 * What an alert says and how it is put on the wire for each kind of receiver. An alert carries the
 * repository's name (which the user chose), what happened, counts, and for a failure a one-line
 * reason from which anything that may name a file, a folder, an address or a person's account was
 * removed: the receiver is a third party, and file names are personal data more often than not.
 *
 * healthchecks (its documented pinging API, which many self-hosted monitors accept): the ping URL
 * on success, `URL/fail` on failure, `URL/start` when a backup starts; POSTed with the message as
 * the body, which healthchecks keeps as the ping's log. ntfy: a POST of the message as plain text
 * to the topic URL, with a `Title` header (ASCII only: a header cannot carry the repository's
 * name safely, so the name is in the body), a `Priority` (low for a success, high for a
 * failure, urgent for damage) and `Tags`.
 */
import type { JsonValue } from '../catalog/catalog.js';
import type { WebhookKind } from '../services/webhook-settings.js';

export type AlertEvent = 'backup.started' | 'backup.succeeded' | 'backup.failed' | 'check.damage' | 'test';

export interface Alert {
  event: AlertEvent;
  /** ASCII only: it travels in an HTTP header. */
  title: string;
  text: string;
}

export interface WebhookRequest {
  url: URL;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** The longest reason an alert carries. */
export const MAX_REASON_CHARS = 200;

/**
 * The first line of an error, without what may identify files or people: web addresses (they may
 * carry credentials), quoted names, paths (POSIX, Windows, home-relative), user@host accounts and
 * anything shaped like a file name; cut to MAX_REASON_CHARS.
 */
export function oneLineReason(error: string | null | undefined): string {
  const first = (error ?? '').split(/\r?\n/).find((line) => line.trim()) ?? '';
  const scrubbed = first
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[address]')
    .replace(/"[^"]*"|'[^']*'|“[^”]*”|‘[^’]*’|`[^`]*`/g, '[name]')
    // A path may hold spaces: it runs to the next ": ", ", ", "; ", " (" or the end.
    .replace(/(?:\b[A-Za-z]:|[\w.~-]*)[\\/].*?(?=: |, |; | \(|\)|$)/g, '[path]')
    .replace(/\b[\w.+-]+@[\w.-]+/g, '[account]')
    .replace(/\b[\w-]+(?:\.[\w-]+)*\.[A-Za-z][A-Za-z0-9]{0,9}\b/g, '[name]')
    .replace(/\s+/g, ' ')
    .trim();
  if (!scrubbed) return 'no reason was given';
  return scrubbed.length <= MAX_REASON_CHARS ? scrubbed : `${scrubbed.slice(0, MAX_REASON_CHARS - 1).trimEnd()}…`;
}

/** `text` ending as a sentence does. */
function sentence(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

function count(value: JsonValue | unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function bytes(n: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

/** What a task's outcome means for the webhook (null: nothing to send). */
export function alertEventFor(task: {
  kind: string;
  status: string;
  result: Record<string, unknown> | null;
}): AlertEvent | null {
  if (task.kind === 'backup') {
    if (task.status === 'running') return 'backup.started';
    if (task.status === 'succeeded') return 'backup.succeeded';
    if (task.status === 'failed') return 'backup.failed';
    return null;
  }
  // A check that could not run (storage away, cancelled) found nothing; only damage alerts.
  if (task.kind === 'check' && task.status === 'failed' && count(task.result?.problems) > 0) return 'check.damage';
  return null;
}

/** The alert for `event` of a task of the repository named `repository`. */
export function composeAlert(
  event: AlertEvent,
  repository: string | null,
  task: { error: string | null; result: Record<string, unknown> | null } | null,
): Alert {
  const name = repository ? `"${repository}"` : 'a repository';
  const r = task?.result ?? {};
  switch (event) {
    case 'backup.started':
      return { event, title: 'Cairn: backup started', text: `Backup of ${name} started.` };
    case 'backup.succeeded': {
      const files = `${count(r.filesNew)} new, ${count(r.filesChanged)} changed, ${count(r.filesUnchanged)} unchanged files`;
      const partial =
        r.partial === true ? ` Partial: ${count(r.warnings)} item(s) could not be read; see the task in Cairn.` : '';
      return {
        event,
        title: r.partial === true ? 'Cairn: backup partly succeeded' : 'Cairn: backup succeeded',
        text: `Backup of ${name} succeeded: ${files}; ${bytes(count(r.dataAddedStored ?? r.dataAdded))} added.${partial}`,
      };
    }
    case 'backup.failed':
      return {
        event,
        title: 'Cairn: backup failed',
        text: `Backup of ${name} failed: ${sentence(oneLineReason(task?.error))}`,
      };
    case 'check.damage':
      return {
        event,
        title: 'Cairn: check found damage',
        text: `The check of ${name} found ${count(r.problems)} problem(s). Open Cairn to see what is affected.`,
      };
    case 'test':
      return { event, title: 'Cairn: test alert', text: 'Test alert from Cairn: alerts reach this address.' };
  }
}

const NTFY_PRIORITY: Record<AlertEvent, string> = {
  'backup.started': 'low',
  'backup.succeeded': 'low',
  'backup.failed': 'high',
  'check.damage': 'urgent',
  test: 'default',
};

const NTFY_TAGS: Record<AlertEvent, string> = {
  'backup.started': 'hourglass_flowing_sand',
  'backup.succeeded': 'white_check_mark',
  'backup.failed': 'warning',
  'check.damage': 'rotating_light',
  test: 'bell',
};

/** `path` appended to the address's path (before its query), as healthchecks expects. */
function withSuffix(url: URL, suffix: string): URL {
  const out = new URL(url.href);
  out.pathname = `${out.pathname.replace(/\/+$/, '')}/${suffix}`;
  return out;
}

/** The HTTP request that sends `alert` to a receiver of `kind` at `url`. */
export function webhookRequest(kind: WebhookKind, url: URL, alert: Alert): WebhookRequest {
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; charset=utf-8' };
  if (kind === 'ntfy') {
    return {
      url,
      method: 'POST',
      headers: { ...headers, Title: alert.title, Priority: NTFY_PRIORITY[alert.event], Tags: NTFY_TAGS[alert.event] },
      body: alert.text,
    };
  }
  const target =
    alert.event === 'backup.started'
      ? withSuffix(url, 'start')
      : alert.event === 'backup.failed' || alert.event === 'check.damage'
        ? withSuffix(url, 'fail')
        : url;
  return { url: target, method: 'POST', headers, body: `${alert.title}\n${alert.text}` };
}
