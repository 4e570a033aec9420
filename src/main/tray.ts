/**
 * The tray icon and its menu, as pure functions of the tray state: the status line
 * ("Protected — last backup 2 hours ago", "Backing up…"), the actions, and which icon in build/
 * to show. The lifecycle module turns the template into a real Menu.
 */
import type { MenuItemConstructorOptions } from 'electron';

export type TrayStatus = 'idle' | 'running' | 'error' | 'paused';

export interface TrayState {
  status: TrayStatus;
  lastBackupAt: string | null;
  now: Date;
  pausedUntil: string | null;
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
function formatClock(date: Date): string {
  return `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
}

export function statusLine(state: TrayState): string {
  switch (state.status) {
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

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const paused = state.status === 'paused';
  return [
    { label: statusLine(state), enabled: false },
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

/** The icon file (in build/) for a status. */
export function trayIconFor(status: TrayStatus): string {
  return `tray-${status}.png`;
}

export function trayTooltip(state: TrayState): string {
  return `Cairn — ${statusLine(state)}`;
}
