import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import {
  formatAge,
  formatUntil,
  pauseOf,
  statusLines,
  type TrayActions,
  type TrayState,
  trayIconFor,
  trayMenuTemplate,
} from '../../src/main/tray.js';

const now = new Date(2026, 10, 26, 12, 0, 0);

function labels(state: TrayState): string[] {
  const actions: TrayActions = { open() {}, backUpNow() {}, pause() {}, resume() {}, quit() {} };
  return trayMenuTemplate(state, actions).map((item) => (item.type === 'separator' ? '---' : String(item.label)));
}

describe('formatAge', () => {
  it('says how long ago in words', () => {
    expect(formatAge(-5)).toBe('just now');
    expect(formatAge(30_000)).toBe('just now');
    expect(formatAge(60_000)).toBe('1 minute ago');
    expect(formatAge(59 * 60_000)).toBe('59 minutes ago');
    expect(formatAge(2 * 3_600_000 + 5)).toBe('2 hours ago');
    expect(formatAge(24 * 3_600_000)).toBe('1 day ago');
    expect(formatAge(3 * 24 * 3_600_000)).toBe('3 days ago');
  });
});

describe('trayMenuTemplate', () => {
  it('idle: protected with the age of the last backup', () => {
    const last = new Date(now.getTime() - 2 * 3_600_000).toISOString();
    expect(labels({ status: 'idle', lastBackupAt: last, now })).toEqual([
      'Protected — last backup 2 hours ago',
      '---',
      'Open Cairn',
      'Back up now',
      'Pause',
      '---',
      'Quit',
    ]);
    expect(labels({ status: 'idle', lastBackupAt: null, now })[0]).toBe('No backup yet');
  });

  it('running, error and paused status lines', () => {
    expect(labels({ status: 'running', lastBackupAt: null, now })[0]).toBe('Backing up…');
    expect(labels({ status: 'error', lastBackupAt: null, now })[0]).toBe('Last backup failed');
    const until = new Date(2026, 10, 26, 14, 30).toISOString();
    const paused = labels({ status: 'paused', lastBackupAt: null, now, pause: { until, folders: 'all' } });
    expect(paused[0]).toBe('Paused until 14:30');
    expect(paused).toContain('Resume');
    expect(paused).toContain('Pause');
  });

  it('words every pause the engine reports: a time, tomorrow, a later day, until resumed, some folders', () => {
    const line = (pause: TrayState['pause']) => labels({ status: 'paused', lastBackupAt: null, now, pause })[0];
    expect(line({ until: new Date(2026, 10, 27, 8, 0).toISOString(), folders: 'all' })).toBe(
      'Paused until tomorrow 08:00',
    );
    expect(line({ until: new Date(2026, 11, 3, 12, 0).toISOString(), folders: 'all' })).toBe(
      'Paused until Thu 3 Dec 12:00',
    );
    expect(line({ until: null, folders: 'all' })).toBe('Paused until you resume');
    expect(line({ until: new Date(2026, 10, 26, 14, 30).toISOString(), folders: 'some' })).toBe(
      'Some folders paused until 14:30',
    );
    expect(line({ until: null, folders: 'some' })).toBe('Some folders paused until you resume');
    // While a backup runs, the pause still shows, below the status line.
    expect(statusLines({ status: 'running', lastBackupAt: null, now, pause: { until: null, folders: 'all' } })).toEqual(
      ['Backing up…', 'Paused until you resume'],
    );
    expect(formatUntil(new Date(2026, 10, 26, 23, 59), now)).toBe('23:59');
  });

  it('reads the pause from the status only while it holds', () => {
    const ahead = new Date(now.getTime() + 60_000).toISOString();
    const past = new Date(now.getTime() - 60_000).toISOString();
    expect(pauseOf({ pause: { until: ahead, folders: 'all' } }, now)).toEqual({ until: ahead, folders: 'all' });
    expect(pauseOf({ pause: { until: past, folders: 'all' } }, now)).toBeNull();
    expect(pauseOf({ pause: { until: null, folders: 'some' } }, now)).toEqual({ until: null, folders: 'some' });
    expect(pauseOf({ pause: null }, now)).toBeNull();
    expect(pauseOf({}, now)).toBeNull();
    expect(pauseOf(null, now)).toBeNull();
  });

  it('status line is disabled; Back up now is disabled while running; items call their actions', () => {
    const actions = { open: vi.fn(), backUpNow: vi.fn(), pause: vi.fn(), resume: vi.fn(), quit: vi.fn() };
    const idle = trayMenuTemplate({ status: 'idle', lastBackupAt: null, now }, actions);
    expect(idle[0]?.enabled).toBe(false);
    const click = (label: string) => {
      const item = idle.find((entry) => entry.label === label);
      if (typeof item?.click !== 'function') throw new Error(`no menu item ${label}`);
      (item.click as () => void)();
    };
    click('Open Cairn');
    click('Back up now');
    click('Quit');
    expect([actions.open, actions.backUpNow, actions.quit].map((fn) => fn.mock.calls.length)).toEqual([1, 1, 1]);
    // The Pause submenu offers the same choices as the Dashboard, each passed on as its id.
    const submenu = idle.find((entry) => entry.label === 'Pause')?.submenu as Array<{ label: string; click(): void }>;
    expect(submenu.map((item) => item.label)).toEqual([
      'For 1 hour',
      'For 4 hours',
      'Until tomorrow 08:00',
      'For 1 week',
      'Until I resume',
    ]);
    for (const item of submenu) item.click();
    expect(actions.pause.mock.calls).toEqual([['1h'], ['4h'], ['tomorrow'], ['1w'], ['resumed']]);
    expect(idle.some((entry) => entry.label === 'Resume')).toBe(false);
    const running = trayMenuTemplate({ status: 'running', lastBackupAt: null, now }, actions);
    expect(running.find((entry) => entry.label === 'Back up now')?.enabled).toBe(false);
  });
});

describe('tray icons', () => {
  it('names one icon per status, and each exists in build/ as a real 16×16 and 32×32 PNG', async () => {
    for (const status of ['idle', 'running', 'error', 'paused'] as const) {
      const name = trayIconFor(status);
      expect(name).toBe(`tray-${status}.png`);
      for (const [file, size] of [
        [name, 16],
        [name.replace('.png', '@2x.png'), 32],
      ] as const) {
        const data = await readFile(new URL(`../../build/${file}`, import.meta.url));
        expect(data.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        expect(data.subarray(12, 16).toString('latin1')).toBe('IHDR');
        expect([data.readUInt32BE(16), data.readUInt32BE(20)]).toEqual([size, size]);
      }
    }
    const icon = await readFile(new URL('../../build/icon.png', import.meta.url));
    expect([icon.readUInt32BE(16), icon.readUInt32BE(20)]).toEqual([512, 512]);
  });
});
