/**
 * Which desktop notifications Cairn shows, as pure logic: a failed backup, restore or check,
 * "no successful backup for N days" per repository, and a repository's storage that stopped
 * answering. Each cause (kind + repository) notifies at most once per throttle window; a later
 * success clears the cause so the next failure notifies again. Unreachable storage notifies once
 * per outage (as `app.status` dates it), and only once the outage has lasted
 * `unreachableAfterMs`, so a blip the retries ride out notifies nobody; never on each retry, and
 * a backup that failed because of it adds no notification of its own. An outage that ends and
 * starts again stays within the throttle window. An open incident notifies once, and once more when
 * its 72-hour deadline comes within 24 hours (one notification per incident per cause, however
 * often the status is judged). A scheduled backup that could not start (the repository locked)
 * notifies as a failed backup, under the same throttle, and opens that repository's unlock form
 * when clicked (`opens`). The caller supplies `show` (Electron's Notification in the app, a
 * recorder in tests).
 */
import type { z } from 'zod';
import type { DesktopDestination } from '../contract/desktop.js';
import type { AppStatus as AppStatusSchema, Task as TaskSchema } from '../contract/schemas.js';
import { deadlineSoon, formatClock, type IncidentAlert } from './tray.js';

export type Task = z.output<typeof TaskSchema>;
export type AppStatus = z.output<typeof AppStatusSchema>;

export interface NotificationContent {
  title: string;
  body: string;
  /** Where a click takes the person (the window opens on it); without it, the window just opens. */
  opens?: DesktopDestination;
}

export interface NotifierOptions {
  show: (notification: NotificationContent) => void;
  now?: () => Date;
  /** The same cause notifies at most once per this many milliseconds (default 6 hours). */
  throttleMs?: number;
  /** A repository whose last successful backup is older than this many days is stale (default 3). */
  staleAfterDays?: number;
  /** Unreachable storage notifies once it has been unreachable this long (default 1 minute). */
  unreachableAfterMs?: number;
}

const HOUR_MS = 60 * 60_000;
const DAY_MS = 24 * HOUR_MS;
export const DEFAULT_THROTTLE_MS = 6 * HOUR_MS;
export const DEFAULT_STALE_AFTER_DAYS = 3;
export const DEFAULT_UNREACHABLE_AFTER_MS = 60_000;
/** How the host words a task that failed because the storage did not answer (handlers/backup.ts). */
const UNREACHABLE_FAILURE = /^storage unreachable since /;
/** How the host words a scheduled backup of a locked repository (handlers/backup.ts). */
const NEEDS_PASSWORD = /^needs your password/;
export const MAX_ERROR_CHARS = 200;

const FAILURE_TITLES: Record<Task['kind'], string> = {
  backup: 'Backup failed',
  restore: 'Restore failed',
  check: 'Check found problems',
  forget: 'Clean-up of old recovery points failed',
  erase: 'Erasure failed',
  repair: 'Repair failed',
};

/** Collapses whitespace and cuts `text` to at most `max` characters, ending with "…" when cut. */
export function shorten(text: string, max = MAX_ERROR_CHARS): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  return `${flat.slice(0, max - 1).trimEnd()}…`;
}

function parseTime(iso: string | null | undefined): number | null {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

export class Notifier {
  private readonly show: (notification: NotificationContent) => void;
  private readonly now: () => Date;
  private readonly throttleMs: number;
  private readonly staleAfterDays: number;
  private readonly unreachableAfterMs: number;
  /** The outage (its `unreachableSince`) each repository last notified or was throttled for. */
  private readonly outageNoticed = new Map<string, string>();
  /** When each cause last notified (epoch ms). */
  private readonly lastShown = new Map<string, number>();
  /** Repository labels from the latest status, to name repositories in failure messages. */
  private readonly labels = new Map<string, string>();
  /** The incident causes ("incident:<id>", "deadline:<id>") already notified: once each. */
  private readonly incidentsNoticed = new Set<string>();
  /** Successful backups seen as task events, in case a status snapshot predates them. */
  private readonly backupSucceededAt = new Map<string, number>();

  constructor(options: NotifierOptions) {
    this.show = options.show;
    this.now = options.now ?? (() => new Date());
    this.throttleMs = options.throttleMs ?? DEFAULT_THROTTLE_MS;
    this.staleAfterDays = options.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;
    this.unreachableAfterMs = options.unreachableAfterMs ?? DEFAULT_UNREACHABLE_AFTER_MS;
  }

  onTask(task: Task): void {
    const repo = task.repositoryId ?? '-';
    const cause = `failed:${task.kind}:${repo}`;
    if (task.status === 'succeeded') {
      this.lastShown.delete(cause);
      if (task.kind === 'backup' && task.repositoryId) {
        const at = parseTime(task.finishedAt) ?? this.now().getTime();
        this.backupSucceededAt.set(task.repositoryId, Math.max(at, this.backupSucceededAt.get(task.repositoryId) ?? 0));
        this.lastShown.delete(`stale:${task.repositoryId}`);
      }
      return;
    }
    if (task.status !== 'failed') return;
    // The storage's own notification tells of it (once per outage); its failed retries do not.
    if (task.error && UNREACHABLE_FAILURE.test(task.error)) return;
    const needsPassword = task.kind === 'backup' && !!task.error && NEEDS_PASSWORD.test(task.error);
    const title = needsPassword ? 'Backup needs your password' : (FAILURE_TITLES[task.kind] ?? 'Task failed');
    const reason = task.error ? shorten(task.error) : 'It stopped with an error.';
    const label = task.repositoryId ? this.labels.get(task.repositoryId) : undefined;
    const body = label ? `${label}: ${reason}` : reason;
    // Clicked, it takes the person straight to where the password is typed.
    const opens: DesktopDestination | undefined =
      needsPassword && task.repositoryId ? { show: 'unlock', repositoryId: task.repositoryId } : undefined;
    this.notify(cause, opens ? { title, body, opens } : { title, body });
  }

  onStatus(status: AppStatus): void {
    // Tolerate partial payloads: a status without repositories has nothing to judge.
    const repositories = Array.isArray(status.repositories) ? status.repositories : [];
    const nowMs = this.now().getTime();
    if (Array.isArray(status.openIncidents)) this.judgeIncidents(status.openIncidents);
    for (const repo of repositories) {
      this.labels.set(repo.id, repo.label);
      this.judgeStorage(repo, nowMs);
      const cause = `stale:${repo.id}`;
      const reported = parseTime(repo.lastBackupAt);
      const seen = this.backupSucceededAt.get(repo.id) ?? null;
      // Never backed up: nothing to compare with, so no warning.
      if (reported === null && seen === null) continue;
      const last = Math.max(reported ?? 0, seen ?? 0);
      const age = nowMs - last;
      if (age <= this.staleAfterDays * DAY_MS) {
        this.lastShown.delete(cause);
        continue;
      }
      const days = Math.floor(age / DAY_MS);
      this.notify(cause, {
        title: `No backup for ${days} days`,
        body: `${repo.label} has not been backed up successfully for ${days} days.`,
      });
    }
  }

  private judgeIncidents(incidents: IncidentAlert[]): void {
    for (const incident of incidents) {
      const opened = `incident:${incident.id}`;
      if (!this.incidentsNoticed.has(opened)) {
        this.incidentsNoticed.add(opened);
        this.show({
          title: 'Incident open',
          body: `${shorten(incident.title)}: the authority is to be notified within 72 hours of becoming aware.`,
        });
      }
      const deadline = `deadline:${incident.id}`;
      if (deadlineSoon(incident) && !this.incidentsNoticed.has(deadline)) {
        this.incidentsNoticed.add(deadline);
        const hours = Math.max(0, Math.floor(incident.hoursLeft ?? 0));
        const by = parseTime(incident.notifyBy);
        this.show({
          title: (incident.hoursLeft ?? 0) < 0 ? 'Incident deadline passed' : 'Incident deadline in less than 24 hours',
          body: `${shorten(incident.title)}: notify the authority${by === null ? '' : ` by ${formatClock(new Date(by))}`} (${hours} hours left).`,
        });
      }
    }
  }

  private judgeStorage(repo: AppStatus['repositories'][number], nowMs: number): void {
    const storage = repo.storage;
    const since = storage && !storage.reachable ? storage.unreachableSince : null;
    const sinceMs = parseTime(since);
    if (since === null || sinceMs === null) {
      this.outageNoticed.delete(repo.id);
      return;
    }
    if (this.outageNoticed.get(repo.id) === since || nowMs - sinceMs < this.unreachableAfterMs) return;
    this.outageNoticed.set(repo.id, since);
    const reason = storage.reason ? ` — ${shorten(storage.reason)}` : '';
    this.notify(`unreachable:${repo.id}`, {
      title: 'Storage unreachable',
      body: `${repo.label}: storage unreachable since ${formatClock(new Date(sinceMs))}${reason}. Cairn keeps retrying.`,
    });
  }

  private notify(cause: string, content: NotificationContent): void {
    const nowMs = this.now().getTime();
    const last = this.lastShown.get(cause);
    if (last !== undefined && nowMs - last < this.throttleMs) return;
    this.lastShown.set(cause, nowMs);
    this.show(content);
  }
}
