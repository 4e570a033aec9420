// The tray's lines for due scheduled backups that wait for a machine condition, read from the
// engine's status; values the tray does not know are left out rather than shown raw.
import { describe, expect, it } from 'vitest';
import { statusLines, trayTooltip, waitingOf } from '../../src/main/tray.js';

const now = new Date(2026, 10, 26, 12, 0, 0);
const lastBackupAt = new Date(2026, 10, 26, 10, 0, 0).toISOString();

describe('tray: waiting scheduled backups', () => {
  it('adds one line per condition after the status line, in the tooltip too', () => {
    const state = {
      status: 'idle' as const,
      lastBackupAt,
      now,
      waiting: waitingOf({ scheduleWaiting: ['ac-power', 'idle'] }),
    };
    expect(statusLines(state)).toEqual([
      'Protected — last backup 2 hours ago',
      'Waiting for the computer to be plugged in',
      'Waiting: the computer is in use',
    ]);
    expect(trayTooltip({ ...state, waiting: ['unmetered-network'] })).toBe(
      'Cairn — Protected — last backup 2 hours ago · Waiting: metered connection',
    );
  });

  it('reads nothing from a status without the list, and drops values it does not know', () => {
    expect(waitingOf(null)).toEqual([]);
    expect(waitingOf({ repositories: [] })).toEqual([]);
    expect(waitingOf({ scheduleWaiting: 'idle' })).toEqual([]);
    expect(waitingOf({ scheduleWaiting: ['resume', 'unmetered-network', 42] })).toEqual(['unmetered-network']);
    expect(statusLines({ status: 'idle', lastBackupAt, now })).toEqual(['Protected — last backup 2 hours ago']);
  });
});
