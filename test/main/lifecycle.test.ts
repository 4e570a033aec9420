import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { CALL_CHANNEL } from '../../src/contract/desktop.js';
import { acquireSingleInstance, type DesktopShell, startDesktop } from '../../src/main/app-lifecycle.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import { app, BrowserWindow, fakeEvent, ipcMain, powerMonitor, resetFake, Tray } from './fake-electron.js';

const APP_URL = 'file:///opt/Cairn/out/renderer/index.html';

class FakeEngine implements EngineLike {
  calls: Array<[string, unknown]> = [];
  listeners = new Set<EngineEventListener>();
  repos = [
    { id: 'a', unlocked: true },
    { id: 'b', unlocked: false },
    { id: 'c', unlocked: true },
  ];
  closed = 0;
  async handle(method: string, params: unknown): Promise<unknown> {
    this.calls.push([method, params]);
    if (method === 'app.status') return { lastSuccessfulBackupAt: null };
    if (method === 'repo.list') return this.repos;
    if (method === 'backup.start') return { taskId: `t-${(params as { repositoryId: string }).repositoryId}` };
    return {};
  }
  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async close(): Promise<void> {
    this.closed += 1;
  }
  emit(name: 'task.updated' | 'app.status', payload: unknown): void {
    for (const listener of this.listeners) listener({ name, payload });
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('desktop lifecycle', () => {
  let home: string;
  let engine: FakeEngine;
  let shell: DesktopShell;
  const now = new Date('2026-11-26T12:00:00Z');

  beforeEach(async () => {
    resetFake();
    home = await mkdtemp(join(tmpdir(), 'cairn-shell-'));
    engine = new FakeEngine();
    shell = startDesktop({
      engine,
      appUrl: APP_URL,
      preloadPath: '/opt/Cairn/out/preload/index.cjs',
      iconDir: '/opt/Cairn/icons',
      dev: false,
      startHidden: false,
      platform: 'linux',
      homeDir: home,
      now: () => now,
    });
    await flush();
  });
  afterEach(async () => {
    shell.quit();
    await flush();
    await rm(home, { recursive: true, force: true });
  });

  const win = () => {
    const w = BrowserWindow.instances[0];
    if (!w) throw new Error('no window');
    return w;
  };
  const tray = () => {
    const t = Tray.instances[0];
    if (!t) throw new Error('no tray');
    return t;
  };
  const menuLabels = () => tray().menu?.template.map((item) => (item.type === 'separator' ? '---' : item.label)) ?? [];
  const clickMenu = (label: string) => {
    const item = tray().menu?.template.find((entry) => entry.label === label);
    if (typeof item?.click !== 'function') throw new Error(`no menu item ${label}`);
    item.click(item);
  };

  it('opens one hardened window on the app URL and shows it when ready', () => {
    expect(BrowserWindow.instances).toHaveLength(1);
    expect(win().options).toMatchObject({
      show: false,
      webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false },
    });
    expect(win().loadedUrl).toBe(APP_URL);
    expect(win().visible).toBe(false);
    win().emit('ready-to-show');
    expect(win().visible).toBe(true);
    expect(ipcMain.handlers.has(CALL_CHANNEL)).toBe(true);
  });

  it('closing the window hides it to the tray unless Cairn is quitting', async () => {
    win().show();
    const event = win().userClose();
    expect(event.defaultPrevented).toBe(true);
    expect(win().visible).toBe(false);
    expect(win().destroyed).toBe(false);

    clickMenu('Quit');
    expect(app.quit).toHaveBeenCalled();
    await flush();
    expect(engine.closed).toBe(1);
    expect(win().userClose().defaultPrevented).toBe(false);
    expect(tray().destroyed).toBe(true);
  });

  it('a second instance restores, shows and focuses the window', () => {
    win().minimized = true;
    app.emit('second-instance', fakeEvent(), ['cairn'], '/');
    expect(win().calls).toEqual(['restore', 'show', 'focus']);
  });

  it('Open Cairn re-creates the window if it was destroyed', () => {
    win().destroyed = true;
    win().emit('closed');
    clickMenu('Open Cairn');
    expect(BrowserWindow.instances).toHaveLength(2);
    BrowserWindow.instances[1]?.emit('ready-to-show');
    expect(BrowserWindow.instances[1]?.visible).toBe(true);
  });

  it('builds the tray menu and rebuilds it from backup task events', () => {
    expect(menuLabels()).toEqual([
      'No backup yet',
      '---',
      'Open Cairn',
      'Back up now',
      'Pause',
      'Open at login',
      '---',
      'Quit',
    ]);
    expect(tray().image.path).toBe('/opt/Cairn/icons/tray-idle.png');

    engine.emit('task.updated', { id: 't1', kind: 'backup', status: 'running', finishedAt: null });
    expect(menuLabels()[0]).toBe('Backing up…');
    expect(tray().image.path).toBe('/opt/Cairn/icons/tray-running.png');

    engine.emit('task.updated', { id: 't1', kind: 'backup', status: 'failed', finishedAt: '2026-11-26T11:59:00Z' });
    expect(menuLabels()[0]).toBe('Last backup failed');
    expect(tray().image.path).toBe('/opt/Cairn/icons/tray-error.png');

    engine.emit('task.updated', { id: 't2', kind: 'restore', status: 'running', finishedAt: null });
    expect(menuLabels()[0]).toBe('Last backup failed');

    engine.emit('task.updated', { id: 't3', kind: 'backup', status: 'succeeded', finishedAt: '2026-11-26T10:00:00Z' });
    expect(menuLabels()[0]).toBe('Protected — last backup 2 hours ago');
    expect(tray().image.path).toBe('/opt/Cairn/icons/tray-idle.png');
  });

  it('Back up now starts a backup for each unlocked repository', async () => {
    clickMenu('Back up now');
    await flush();
    expect(engine.calls.filter(([method]) => method === 'backup.start')).toEqual([
      ['backup.start', { repositoryId: 'a' }],
      ['backup.start', { repositoryId: 'c' }],
    ]);
  });

  it('Back up now with every repository locked opens the window instead', async () => {
    engine.repos = [{ id: 'b', unlocked: false }];
    clickMenu('Back up now');
    await flush();
    expect(engine.calls.some(([method]) => method === 'backup.start')).toBe(false);
    expect(win().calls).toContain('show');
  });

  it('pauses and resumes through the engine only, showing the pause once the engine reports it', () => {
    const pauseCalls = () => engine.calls.filter(([method]) => method === 'sources.pause').map(([, p]) => p);
    const submenu = tray().menu?.template.find((entry) => entry.label === 'Pause')?.submenu as Array<{
      label: string;
      click(): void;
    }>;
    submenu.find((item) => item.label === 'For 1 hour')?.click();
    expect(pauseCalls()).toEqual([{ until: '2026-11-26T13:00:00.000Z' }]);
    // The tray keeps no pause of its own: until the engine's status says so, nothing is paused.
    expect(shell.trayState()).toMatchObject({ status: 'idle', pause: null });
    engine.emit('app.status', {
      lastSuccessfulBackupAt: null,
      pause: { until: '2026-11-26T13:00:00.000Z', folders: 'all' },
    });
    expect(shell.trayState()).toMatchObject({ status: 'paused', pause: { until: '2026-11-26T13:00:00.000Z' } });
    expect(menuLabels()).toContain('Resume');
    expect(tray().image.path).toBe('/opt/Cairn/icons/tray-paused.png');
    clickMenu('Resume');
    expect(pauseCalls()).toEqual([{ until: '2026-11-26T13:00:00.000Z' }, { until: null }]);
    engine.emit('app.status', { lastSuccessfulBackupAt: null, pause: null });
    expect(shell.trayState().status).toBe('idle');
    expect(menuLabels()).not.toContain('Resume');
  });

  it('Open at login writes and removes the autostart entry on Linux', async () => {
    const loginItem = () => tray().menu?.template.find((entry) => entry.label === 'Open at login');
    const desktopFile = join(home, '.config', 'autostart', 'cairn.desktop');
    expect(loginItem()?.checked).toBe(false);
    await shell.setLaunchAtLogin(true);
    expect(loginItem()?.checked).toBe(true);
    await expect(stat(desktopFile)).resolves.toBeTruthy();
    await shell.setLaunchAtLogin(false);
    expect(loginItem()?.checked).toBe(false);
    await expect(stat(desktopFile)).rejects.toThrow();
    // The menu item is wired to the same switch.
    const click = loginItem()?.click;
    if (typeof click !== 'function') throw new Error('no Open at login item');
    click({ checked: true });
    await vi.waitFor(() => expect(loginItem()?.checked).toBe(true));
    await expect(stat(desktopFile)).resolves.toBeTruthy();
  });

  it('tracks power events', () => {
    expect(shell.power).toEqual({ suspended: false, onBattery: false });
    powerMonitor.emit('on-battery');
    powerMonitor.emit('suspend');
    expect(shell.power).toEqual({ suspended: true, onBattery: true });
    powerMonitor.emit('resume');
    powerMonitor.emit('on-ac');
    expect(shell.power).toEqual({ suspended: false, onBattery: false });
  });

  it('passes every power change on to the engine scheduler', () => {
    const powerCalls = () => engine.calls.filter(([method]) => method === 'app.setPower').map(([, p]) => p);
    expect(powerCalls()[0]).toEqual({ onBattery: false, suspended: false });
    powerMonitor.emit('on-battery');
    powerMonitor.emit('suspend');
    expect(powerCalls().slice(-2)).toEqual([
      { onBattery: true, suspended: false },
      { onBattery: true, suspended: true },
    ]);
  });

  it('quitting closes the engine once, even when asked twice', async () => {
    shell.quit();
    shell.quit();
    await flush();
    expect(engine.closed).toBe(1);
    expect(engine.listeners.size).toBe(0);
    expect(ipcMain.handlers.has(CALL_CHANNEL)).toBe(false);
    expect(powerMonitor.listenerCount('suspend')).toBe(0);
  });
});

describe('single instance', () => {
  beforeEach(resetFake);

  it('keeps running when it gets the lock', () => {
    expect(acquireSingleInstance()).toBe(true);
    expect(app.quit).not.toHaveBeenCalled();
  });

  it('quits when another Cairn holds the lock', () => {
    app.lockAvailable = false;
    expect(acquireSingleInstance()).toBe(false);
    expect(app.quit).toHaveBeenCalled();
  });
});
