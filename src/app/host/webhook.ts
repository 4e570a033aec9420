/**
 * The alert webhook, for machines nobody looks at (a NAS running `cairn serve`): subscribed to
 * the host's task outcomes, it calls the address the user set (settings, off by default) when a
 * backup starts (healthchecks with "ping at start" only), succeeds or fails, scheduled or by hand,
 * and when a check finds damage. It lives in the host, so `cairn serve` and the desktop app both
 * have it; the desktop's own notifications are decided apart (src/main/notifier.ts).
 *
 * Alerts go out one after another, so a backup's start reaches the receiver before its end. The
 * setting is read at each alert, so a change applies at once. An alert that cannot be sent never
 * fails the backup: it is noted on the task ("the alert to ntfy.sh could not be sent: …"), kept as
 * the webhook's last delivery that Settings shows, and reported on stderr, by host name only.
 */
import { CairnError } from '../../engine/errors.js';
import type { Catalog } from '../catalog/catalog.js';
import {
  parseWebhookUrl,
  readWebhook,
  redactWebhookUrl,
  type StoredWebhook,
  type WebhookKind,
  webhookHost,
} from '../services/webhook-settings.js';
import type { Task, TaskManager } from './task-manager.js';
import { DEFAULT_RETRY_DELAYS_MS, DEFAULT_TIMEOUT_MS, type SendOutcome, sendWebhook } from './webhook-http.js';
import { type AlertEvent, alertEventFor, composeAlert, webhookRequest } from './webhook-message.js';

export interface WebhookDelivery {
  at: string;
  event: AlertEvent;
  ok: boolean;
  status: number | null;
  message: string;
}

export interface WebhookOptions {
  /** Time for one attempt (default 10 s). */
  timeoutMs?: number;
  /** Pauses before each retry (default 2 s, then 8 s: three attempts). */
  retryDelaysMs?: number[];
}

export interface WebhookDeps {
  catalog: Pick<Catalog, 'getSetting' | 'setSetting' | 'deleteSetting' | 'getRepository'>;
  tasks: Pick<TaskManager, 'subscribe' | 'onSettled' | 'note'>;
  /** The app's version, sent as the User-Agent. */
  version: string;
  /** Where a failed delivery is reported besides the task (default: stderr). */
  warn?: (message: string) => void;
}

const LAST_KEY = 'alerts.webhook.last';

export class AlertWebhook {
  private readonly controller = new AbortController();
  private readonly started = new Set<string>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly unsubscribe: () => void;
  private readonly timeoutMs: number;
  private readonly retryDelaysMs: number[];

  constructor(
    private readonly deps: WebhookDeps,
    options: WebhookOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const offChanged = deps.tasks.subscribe((task) => this.taskChanged(task));
    const offSettled = deps.tasks.onSettled((task) => this.taskSettled(task));
    this.unsubscribe = () => {
      offChanged();
      offSettled();
    };
  }

  /** The last alert's outcome (null before the first, and after the address changed). */
  lastDelivery(): WebhookDelivery | null {
    const stored = this.deps.catalog.getSetting<WebhookDelivery | null>(LAST_KEY, null);
    return stored && typeof stored === 'object' && typeof stored.message === 'string' ? stored : null;
  }

  /** Forgets the last delivery (the address changed or was removed: it said nothing of the new one). */
  forgetLastDelivery(): void {
    this.deps.catalog.deleteSetting(LAST_KEY);
  }

  /**
   * "Send a test": to `url` as `kind` when given (before saving), else to the stored webhook,
   * whose last delivery it then becomes. A bad address is an error; an address that does not
   * answer is an outcome.
   */
  async test(target: { kind?: WebhookKind; url?: string }): Promise<WebhookDelivery> {
    let kind: WebhookKind;
    let url: URL;
    const typed = target.url?.trim();
    if (typed) {
      kind = target.kind ?? 'healthchecks';
      url = parseWebhookUrl(typed, kind);
    } else {
      const stored = readWebhook(this.deps.catalog);
      if (!stored) throw new CairnError('invalid-argument', 'no alert address is set: enter one to send a test');
      kind = target.kind ?? stored.kind;
      url = parseWebhookUrl(stored.url, kind);
    }
    const delivery = await this.send(kind, url, 'test', null, null);
    if (!typed) this.keep(delivery);
    return delivery;
  }

  /** Resolves once every alert queued so far was sent (or given up on) and recorded. */
  async idle(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  /** Stops listening and ends any alert still waiting for an answer. */
  async close(): Promise<void> {
    this.unsubscribe();
    this.controller.abort();
    await this.queue.catch(() => undefined);
  }

  /** A backup started: healthchecks' `/start`, when the user asked for it. */
  private taskChanged(task: Task): void {
    if (task.kind !== 'backup' || task.status !== 'running' || this.started.has(task.id)) return;
    this.started.add(task.id);
    this.alert(task, 'backup.started');
  }

  /** A task ended (told once per task): its outcome, if it is one the webhook reports. */
  private taskSettled(task: Task): void {
    this.started.delete(task.id);
    const event = alertEventFor(task);
    if (event) this.alert(task, event);
  }

  private alert(task: Task, event: AlertEvent): void {
    const stored = readWebhook(this.deps.catalog);
    if (!stored) return;
    if (event === 'backup.started' && !(stored.kind === 'healthchecks' && stored.pingStart)) return;
    const label = task.repositoryId ? (this.deps.catalog.getRepository(task.repositoryId)?.label ?? null) : null;
    this.enqueue(stored, event, label, task);
  }

  private enqueue(stored: StoredWebhook, event: AlertEvent, label: string | null, task: Task): void {
    this.queue = this.queue.then(async () => {
      if (this.controller.signal.aborted) return;
      const delivery = await this.send(stored.kind, new URL(stored.url), event, label, task);
      if (this.controller.signal.aborted && !delivery.ok) return;
      this.keep(delivery, stored);
      if (delivery.ok) return;
      const text = `the alert to ${webhookHost(stored.url)} could not be sent: ${delivery.message}`;
      try {
        this.deps.tasks.note(task.id, text, 'warning');
      } catch {
        // the task may be gone from the history; stderr still says it
      }
      (this.deps.warn ?? ((m: string) => process.stderr.write(`cairn: ${m}\n`)))(text);
    });
  }

  private async send(
    kind: WebhookKind,
    url: URL,
    event: AlertEvent,
    label: string | null,
    task: Task | null,
  ): Promise<WebhookDelivery> {
    const alert = composeAlert(event, label, task);
    const outcome: SendOutcome = await sendWebhook(webhookRequest(kind, url, alert), {
      timeoutMs: this.timeoutMs,
      retryDelaysMs: this.retryDelaysMs,
      userAgent: `Cairn/${this.deps.version}`,
      signal: this.controller.signal,
    });
    return { at: new Date().toISOString(), event, ok: outcome.ok, status: outcome.status, message: outcome.message };
  }

  /** Keeps the delivery as the last one, unless the webhook changed while it was under way. */
  private keep(delivery: WebhookDelivery, sentTo?: StoredWebhook): void {
    try {
      const now = readWebhook(this.deps.catalog);
      if (!now || (sentTo && now.url !== sentTo.url)) return;
      this.deps.catalog.setSetting(LAST_KEY, { ...delivery });
    } catch {
      // the catalog is closing; the delivery is still on the task and stderr
    }
  }
}

/** The webhook as `settings.get` shows it: never its full address. */
export function webhookView(stored: StoredWebhook | null, last: WebhookDelivery | null) {
  if (!stored) return null;
  return {
    kind: stored.kind,
    address: redactWebhookUrl(stored.url),
    host: webhookHost(stored.url),
    pingStart: stored.pingStart,
    region: stored.region,
    lastDelivery: last,
  };
}
