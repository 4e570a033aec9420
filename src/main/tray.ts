/**
 * The tray icon and its menu, as pure functions of the tray state: the status line
 * ("Protected — last backup 2 hours ago", "Backing up…", "Storage unreachable since 14:02 — NAS"),
 * a line per repository whose storage does not answer, the actions, and which icon in build/ to
 * show. The lifecycle module turns the template into a real Menu.
 */
import type { MenuItemConstructorOptions } from 'electron';

/** 'warning': the storage of a repository does not answer (Cairn keeps retrying). */
export type TrayStatus = 'idle' | 'running' | 'error' | 'paused' | 'warning';

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
}

export interface TrayActions {
  open(): void;
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
 * The lines at the top of the menu: the status line, then one line per repository whose storage
 * does not answer (the first of them is the status line itself when the status is 'warning').
 */
export function statusLines(state: TrayState): string[] {
  const storage = (state.unreachable ?? []).map(storageLine);
  return state.status === 'warning' && storage.length > 0 ? storage : [statusLine(state), ...storage];
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const paused = state.status === 'paused';
  return [
    ...statusLines(state).map((label): MenuItemConstructorOptions => ({ label, enabled: false })),
    { type: 'separator' },
    { label: 'Open Cairn', click: () => actions.open() },
    { label: 'Back up now', enabled: state.status !== 'running', click: () => actions.backUpNow() },
    paused
      ? { label: 'Resume', click: () => actions.resume() }
      : { label: 'Pause for 1 hour', click: () => actions.pause() },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

/**
 * The icon file (in build/) for a status. A warning has no icon of its own yet: it shows the
 * attention icon of 'error' (its menu and tooltip lines tell the two apart).
 */
export function trayIconFor(status: TrayStatus): string {
  return status === 'warning' ? 'tray-error.png' : `tray-${status}.png`;
}

export function trayTooltip(state: TrayState): string {
  return `Cairn — ${statusLines(state).join(' · ')}`;
}
