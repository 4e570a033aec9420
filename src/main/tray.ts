/**
 * The tray icon and its menu, as pure functions of the tray state: the status line
 * ("Protected — last backup 2 hours ago", "Backing up…", "Storage unreachable since 14:02 — NAS"),
 * a line per repository whose storage does not answer, the actions, and which icon in build/ to
 * show. The lifecycle module turns the template into a real Menu.
 */
import type { MenuItemConstructorOptions } from 'electron';

/**
 * 'warning': the storage of a repository does not answer (Cairn keeps retrying). 'needs-password':
 * a repository with scheduled sources is locked, so its scheduled backups cannot run. 'alert': a
 * data-breach incident is open (its 72-hour deadline may be near).
 */
export type TrayStatus = 'idle' | 'running' | 'error' | 'paused' | 'warning' | 'needs-password' | 'alert';

/** A repository whose storage does not answer, as `app.status` reports it. */
export interface UnreachableStorage {
  label: string;
  /** ISO time of the first failed attempt. */
  since: string;
  reason: string | null;
}

export interface TrayState {
  status: TrayStatus;
  lastBackupAt: string | null;
  now: Date;
  pausedUntil: string | null;
  /** Repositories whose storage does not answer (none when absent). */
  unreachable?: UnreachableStorage[];
  /** Locked repositories with scheduled sources (none when absent). */
  needsPassword?: LockedRepository[];
  /** Open incidents (none when absent). */
  incidents?: IncidentAlert[];
}

export interface LockedRepository {
  id: string;
  label: string;
}

/** An open incident as `app.status` reports it. */
export interface IncidentAlert {
  id: string;
  title: string;
  /** ISO time by which the authority is to be notified (awareAt + 72 hours). */
  notifyBy: string;
  /** Hours left until notifyBy; null once notification is settled. */
  hoursLeft: number | null;
}

/** An incident whose deadline is within this many hours is "due soon". */
export const DEADLINE_SOON_HOURS = 24;

/** Whether an incident's 72-hour deadline is within 24 hours (or passed). */
export function deadlineSoon(incident: IncidentAlert): boolean {
  return incident.hoursLeft !== null && incident.hoursLeft <= DEADLINE_SOON_HOURS;
}

/** The part of `app.status` the tray reads for what needs attention. */
interface StatusForAttention {
  repositories?: Array<{ id: string; label: string }>;
  needsPassword?: string[];
  openIncidents?: IncidentAlert[];
}

/** Locked repositories with scheduled sources, and open incidents, from the latest status. */
export function attentionOf(status: StatusForAttention | null | undefined): {
  needsPassword: LockedRepository[];
  incidents: IncidentAlert[];
} {
  const repositories = Array.isArray(status?.repositories) ? status.repositories : [];
  const locked = Array.isArray(status?.needsPassword) ? status.needsPassword : [];
  return {
    needsPassword: locked.map((id) => ({ id, label: repositories.find((r) => r.id === id)?.label ?? id })),
    incidents: Array.isArray(status?.openIncidents) ? status.openIncidents : [],
  };
}

/**
 * The tray status once what runs and pauses is settled: an open incident first, then a locked
 * repository whose scheduled backups need the password, then unreachable storage, then a failure.
 */
export function attentionStatus(
  state: Pick<TrayState, 'unreachable' | 'needsPassword' | 'incidents'>,
  lastBackupFailed: boolean,
): TrayStatus {
  if ((state.incidents ?? []).length > 0) return 'alert';
  if ((state.needsPassword ?? []).length > 0) return 'needs-password';
  if ((state.unreachable ?? []).length > 0) return 'warning';
  return lastBackupFailed ? 'error' : 'idle';
}

/** "Needs your password — NAS". */
export function passwordLine(repository: LockedRepository): string {
  return `Needs your password — ${repository.label}`;
}

/** "Incident open — <title>", or "Incident: report by 14:02 (5 hours left) — <title>" within 24 hours. */
export function incidentLine(incident: IncidentAlert): string {
  if (!deadlineSoon(incident)) return `Incident open — ${incident.title}`;
  const hours = Math.max(0, Math.floor(incident.hoursLeft ?? 0));
  const by = new Date(incident.notifyBy);
  const when = Number.isNaN(by.getTime()) ? '' : ` by ${formatClock(by)}`;
  return (incident.hoursLeft ?? 0) < 0
    ? `Incident: report overdue — ${incident.title}`
    : `Incident: report${when} (${plural(hours, 'hour')} left) — ${incident.title}`;
}

export interface TrayActions {
  open(): void;
  /** Opens the window where the repository is unlocked (the Dashboard's unlock form); default: open(). */
  unlock?(repositoryId: string): void;
  backUpNow(): void;
  pause(): void;
  resume(): void;
  quit(): void;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** "just now", "5 minutes ago", "2 hours ago", "3 days ago" (negative ages count as just now). */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms) || ms < MINUTE) return 'just now';
  if (ms < HOUR) return `${plural(Math.floor(ms / MINUTE), 'minute')} ago`;
  if (ms < DAY) return `${plural(Math.floor(ms / HOUR), 'hour')} ago`;
  return `${plural(Math.floor(ms / DAY), 'day')} ago`;
}

/** Local wall-clock "HH:MM". */
export function formatClock(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

/** "Storage unreachable since 14:02 — NAS" (a date it cannot read shows as "for a while"). */
export function storageLine(storage: UnreachableStorage): string {
  const since = new Date(storage.since);
  const when = Number.isNaN(since.getTime()) ? 'for a while' : `since ${formatClock(since)}`;
  return `Storage unreachable ${when} — ${storage.label}`;
}

export function statusLine(state: TrayState): string {
  switch (state.status) {
    case 'alert': {
      const first = state.incidents?.[0];
      return first ? incidentLine(first) : 'Incident open';
    }
    case 'needs-password': {
      const first = state.needsPassword?.[0];
      return first ? passwordLine(first) : 'Needs your password';
    }
    case 'warning': {
      const first = state.unreachable?.[0];
      return first ? storageLine(first) : 'Storage unreachable';
    }
    case 'running':
      return 'Backing up…';
    case 'error':
      return 'Last backup failed';
    case 'paused': {
      const until = state.pausedUntil ? new Date(state.pausedUntil) : null;
      return until && !Number.isNaN(until.getTime()) ? `Paused until ${formatClock(until)}` : 'Paused';
    }
    case 'idle': {
      const last = state.lastBackupAt ? new Date(state.lastBackupAt) : null;
      if (!last || Number.isNaN(last.getTime())) return 'No backup yet';
      return `Protected — last backup ${formatAge(state.now.getTime() - last.getTime())}`;
    }
  }
}

/**
 * The lines at the top of the menu: the status line, then one line per open incident, locked
 * repository with scheduled sources and repository whose storage does not answer (the status
 * line is the first of its kind's lines, not repeated).
 */
export function statusLines(state: TrayState): string[] {
  const groups: Array<[TrayStatus, string[]]> = [
    ['alert', (state.incidents ?? []).map(incidentLine)],
    ['needs-password', (state.needsPassword ?? []).map(passwordLine)],
    ['warning', (state.unreachable ?? []).map(storageLine)],
  ];
  const own = groups.find(([status, lines]) => status === state.status && lines.length > 0);
  const lines = own ? [] : [statusLine(state)];
  for (const [, group] of groups) lines.push(...group);
  return lines;
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const paused = state.status === 'paused';
  return [
    ...statusLines(state).map((label): MenuItemConstructorOptions => ({ label, enabled: false })),
    { type: 'separator' },
    { label: 'Open Cairn', click: () => actions.open() },
    ...(state.needsPassword ?? []).map(
      (repo): MenuItemConstructorOptions => ({
        label: `Unlock “${repo.label}”…`,
        click: () => (actions.unlock ? actions.unlock(repo.id) : actions.open()),
      }),
    ),
    { label: 'Back up now', enabled: state.status !== 'running', click: () => actions.backUpNow() },
    paused
      ? { label: 'Resume', click: () => actions.resume() }
      : { label: 'Pause for 1 hour', click: () => actions.pause() },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

/**
 * The icon file (in build/) for a status. A warning, a needed password and an incident have no
 * icon of their own yet: they show the attention icon of 'error' (menu and tooltip tell them apart).
 */
export function trayIconFor(status: TrayStatus): string {
  return status === 'warning' || status === 'needs-password' || status === 'alert'
    ? 'tray-error.png'
    : `tray-${status}.png`;
}

export function trayTooltip(state: TrayState): string {
  return `Cairn — ${statusLines(state).join(' · ')}`;
}
