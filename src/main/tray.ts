/**
 * The tray icon and its menu, as pure functions of the tray state: the status line
 * ("Protected — last backup 2 hours ago", "Backing up…", "Storage unreachable since 14:02 — NAS",
 * "Paused until you resume"), a line per repository whose storage does not answer, a line per
 * condition a due scheduled backup waits for ("Waiting: metered connection"), the actions
 * (with the Pause submenu), and which icon in build/ to show. The lifecycle module turns the
 * template into a real Menu. The pause shown is the engine's, from `app.status`: the tray keeps
 * none of its own.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { WaitingCondition, type WaitingConditionValue, waitingText } from '../contract/conditions.js';
import { PAUSE_CHOICES, type PauseChoice } from '../contract/pause.js';

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

/** The pause of scheduled backups as `app.status` reports it. */
export interface TrayPause {
  /** ISO time the pause ends (the last one, when folders differ); null: until someone resumes. */
  until: string | null;
  folders: 'all' | 'some';
}

export interface TrayState {
  status: TrayStatus;
  lastBackupAt: string | null;
  now: Date;
  /** The pause of scheduled backups (none when absent). */
  pause?: TrayPause | null;
  /** Repositories whose storage does not answer (none when absent). */
  unreachable?: UnreachableStorage[];
  /** Locked repositories with scheduled sources (none when absent). */
  needsPassword?: LockedRepository[];
  /** Open incidents (none when absent). */
  incidents?: IncidentAlert[];
  /** What due scheduled backups wait for: AC power, the computer left idle, an unmetered connection (none when absent). */
  waiting?: WaitingConditionValue[];
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

/** The pause in the latest status while it holds at `now` (a timed pause that has ended is none). */
export function pauseOf(status: { pause?: TrayPause | null } | null | undefined, now: Date): TrayPause | null {
  const pause = status?.pause;
  if (!pause || typeof pause !== 'object') return null;
  if (pause.until !== null) {
    const end = Date.parse(pause.until);
    if (Number.isNaN(end) || end <= now.getTime()) return null;
  }
  return pause;
}

export interface TrayActions {
  open(): void;
  /** Opens the window where the repository is unlocked (the Dashboard's unlock form); default: open(). */
  unlock?(repositoryId: string): void;
  backUpNow(): void;
  /** Pauses scheduled backups for a choice of the Pause submenu (through the engine). */
  pause(choice: PauseChoice): void;
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

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A local time ahead of `now`: "14:30" today, "tomorrow 08:00", else "Thu 3 Dec 14:30". */
export function formatUntil(date: Date, now: Date): string {
  const clock = formatClock(date);
  const day = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  // Rounded: a day with a daylight-saving change has 23 or 25 hours.
  const days = Math.round((day(date) - day(now)) / DAY);
  if (days === 0) return clock;
  if (days === 1) return `tomorrow ${clock}`;
  return `${WEEKDAYS[date.getDay()]} ${date.getDate()} ${MONTHS[date.getMonth()]} ${clock}`;
}

/** "Paused until 14:30", "Paused until you resume", "Some folders paused until tomorrow 08:00". */
export function pauseLine(pause: TrayPause | null | undefined, now: Date): string {
  if (!pause) return 'Paused';
  const what = pause.folders === 'some' ? 'Some folders paused' : 'Paused';
  if (pause.until === null) return `${what} until you resume`;
  const until = new Date(pause.until);
  return Number.isNaN(until.getTime()) ? what : `${what} until ${formatUntil(until, now)}`;
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
    case 'paused':
      return pauseLine(state.pause, state.now);
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
 * line is the first of its kind's lines, not repeated), and the pause when the status line is
 * about something else (a backup running, something that needs attention).
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
  if (state.pause && state.status !== 'paused') lines.push(pauseLine(state.pause, state.now));
  for (const condition of state.waiting ?? []) lines.push(waitingText(condition));
  return lines;
}

/** What due scheduled backups wait for, from the latest status (values it does not know are left out). */
export function waitingOf(status: unknown): WaitingConditionValue[] {
  const listed = (status as { scheduleWaiting?: unknown } | null | undefined)?.scheduleWaiting;
  if (!Array.isArray(listed)) return [];
  return listed.filter((value): value is WaitingConditionValue => WaitingCondition.safeParse(value).success);
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
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
    {
      label: 'Pause',
      submenu: PAUSE_CHOICES.map((choice) => ({ label: choice.label, click: () => actions.pause(choice.id) })),
    },
    ...(state.pause ? [{ label: 'Resume', click: () => actions.resume() }] : []),
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

/**
 * The icon file (in build/) for a status. A warning, a needed password and an incident have no
 * icon of their own yet: they show the attention icon of 'error' (menu and tooltip tell them apart).
 * macOS gets the template image (black + alpha, `…Template.png`), which it tints for the menu bar.
 */
export function trayIconFor(status: TrayStatus, platform?: NodeJS.Platform): string {
  const name = status === 'warning' || status === 'needs-password' || status === 'alert' ? 'error' : status;
  return platform === 'darwin' ? `tray-${name}Template.png` : `tray-${name}.png`;
}

export function trayTooltip(state: TrayState): string {
  return `Cairn — ${statusLines(state).join(' · ')}`;
}
