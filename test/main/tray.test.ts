import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';
import { formatAge, type TrayActions, type TrayState, trayIconFor, trayMenuTemplate } from '../../src/main/tray.js';

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
    expect(labels({ status: 'idle', lastBackupAt: last, now, pausedUntil: null })).toEqual([
      'Protected — last backup 2 hours ago',
      '---',
      'Open Cairn',
      'Back up now',
      'Pause for 1 hour',
      '---',
      'Quit',
    ]);
    expect(labels({ status: 'idle', lastBackupAt: null, now, pausedUntil: null })[0]).toBe('No backup yet');
  });

  it('running, error and paused status lines', () => {
    expect(labels({ status: 'running', lastBackupAt: null, now, pausedUntil: null })[0]).toBe('Backing up…');
    expect(labels({ status: 'error', lastBackupAt: null, now, pausedUntil: null })[0]).toBe('Last backup failed');
    const until = new Date(2026, 10, 26, 14, 30).toISOString();
    const paused = labels({ status: 'paused', lastBackupAt: null, now, pausedUntil: until });
    expect(paused[0]).toBe('Paused until 14:30');
    expect(paused).toContain('Resume');
    expect(paused).not.toContain('Pause for 1 hour');
  });

  it('status line is disabled; Back up now is disabled while running; items call their actions', () => {
    const actions = { open: vi.fn(), backUpNow: vi.fn(), pause: vi.fn(), resume: vi.fn(), quit: vi.fn() };
    const idle = trayMenuTemplate({ status: 'idle', lastBackupAt: null, now, pausedUntil: null }, actions);
    expect(idle[0]?.enabled).toBe(false);
    const click = (label: string) => {
      const item = idle.find((entry) => entry.label === label);
      if (typeof item?.click !== 'function') throw new Error(`no menu item ${label}`);
      (item.click as () => void)();
    };
    click('Open Cairn');
    click('Back up now');
    click('Pause for 1 hour');
    click('Quit');
    expect([actions.open, actions.backUpNow, actions.pause, actions.quit].map((fn) => fn.mock.calls.length)).toEqual([
      1, 1, 1, 1,
    ]);
    const running = trayMenuTemplate({ status: 'running', lastBackupAt: null, now, pausedUntil: null }, actions);
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
