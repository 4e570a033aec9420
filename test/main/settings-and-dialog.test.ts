/**
 * The desktop shell obeys the engine's app settings (launch at login, notifications) at start and
 * when 'settings.updated' arrives, and the tray's "Open at login" is saved back to them; the
 * system folder dialog channel answers Cairn's own window only.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserWindow as ElectronWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { CHOOSE_FOLDER_CHANNEL } from '../../src/contract/desktop.js';
import { type DesktopShell, startDesktop } from '../../src/main/app-lifecycle.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import { registerIpc } from '../../src/main/ipc.js';
import { BrowserWindow, dialog, ipcMain, Notification, resetFake, Tray } from './fake-electron.js';

const APP_URL = 'file:///opt/Cairn/out/renderer/index.html';
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

class SettingsEngine implements EngineLike {
  calls: Array<[string, unknown]> = [];
  listeners = new Set<EngineEventListener>();
  settings = { launchAtLogin: false, notifications: false };
  async handle(method: string, params: unknown): Promise<unknown> {
    this.calls.push([method, params]);
    if (method === 'settings.get') return this.settings;
    if (method === 'settings.set') {
      this.settings = { ...this.settings, ...(params as object) };
      this.emit('settings.updated', this.settings);
      return this.settings;
    }
    if (method === 'app.status') return { lastSuccessfulBackupAt: null, repositories: [{ id: 'r', label: 'Disk' }] };
    return {};
  }
  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async close(): Promise<void> {}
  emit(name: 'task.updated' | 'app.status' | 'settings.updated', payload: unknown): void {
    for (const listener of this.listeners) listener({ name, payload });
  }
}

describe('app settings in the desktop shell', () => {
  let home: string;
  let engine: SettingsEngine;
  let shell: DesktopShell;
  const autostart = () => join(home, '.config', 'autostart', 'cairn.desktop');
  const failedBackup = (id: string) => ({
    id,
    kind: 'backup',
    status: 'failed',
    repositoryId: 'r',
    error: 'disk full',
    finishedAt: '2026-11-26T11:59:00Z',
  });

  beforeEach(async () => {
    resetFake();
    home = await mkdtemp(join(tmpdir(), 'cairn-settings-'));
    engine = new SettingsEngine();
    shell = startDesktop({
      engine,
      appUrl: APP_URL,
      preloadPath: '/opt/Cairn/out/preload/index.cjs',
      iconDir: '/opt/Cairn/icons',
      dev: false,
      startHidden: true,
      platform: 'linux',
      homeDir: home,
      loginDefaultMarker: join(home, 'login-item-default.json'),
    });
    await vi.waitFor(() => expect(engine.calls.some(([m]) => m === 'settings.get')).toBe(true));
    await flush();
  });
  afterEach(async () => {
    shell.quit();
    await flush();
    await rm(home, { recursive: true, force: true });
  });

  it('keeps launch at login off and notifications quiet while the settings say so', async () => {
    expect(existsSync(autostart())).toBe(false);
    engine.emit('task.updated', failedBackup('t1'));
    expect(Notification.shown).toEqual([]);
  });

  it('applies a change of the settings at once', async () => {
    await engine.handle('settings.set', { launchAtLogin: true, notifications: true });
    await vi.waitFor(() => expect(existsSync(autostart())).toBe(true));
    engine.emit('task.updated', failedBackup('t2'));
    expect(Notification.shown).toHaveLength(1);

    await engine.handle('settings.set', { launchAtLogin: false });
    await vi.waitFor(() => expect(existsSync(autostart())).toBe(false));
  });

  it('saves the tray choice in the settings', async () => {
    const item = Tray.instances[0]?.menu?.template.find((entry) => entry.label === 'Open at login');
    const click = item?.click;
    if (typeof click !== 'function') throw new Error('no Open at login item');
    click({ checked: true });
    await vi.waitFor(() => expect(engine.settings.launchAtLogin).toBe(true));
    expect(existsSync(autostart())).toBe(true);
  });
});

describe('the folder dialog channel', () => {
  function setup() {
    resetFake();
    const win = new BrowserWindow({});
    registerIpc({
      ipcMain: ipcMain as unknown as IpcMain,
      engine: new SettingsEngine(),
      appUrl: APP_URL,
      windows: () => [win] as unknown as ElectronWindow[],
      dialog: dialog as never,
    });
    const handler = ipcMain.handlers.get(CHOOSE_FOLDER_CHANNEL);
    if (!handler) throw new Error('no folder dialog handler');
    const ask = (url: string, sender: unknown, defaultPath?: unknown) =>
      handler({ senderFrame: { url, parent: null }, sender } as unknown as IpcMainInvokeEvent, defaultPath);
    return { win, ask };
  }

  it('opens the system dialog for Cairn’s window and returns the folder, or null when cancelled', async () => {
    const { win, ask } = setup();
    expect(await ask(APP_URL, win.webContents, '/home/me')).toEqual({ ok: true, result: '/home/me/Documents' });
    expect(dialog.showOpenDialog).toHaveBeenLastCalledWith(
      win,
      expect.objectContaining({ properties: ['openDirectory', 'createDirectory'], defaultPath: '/home/me' }),
    );
    await ask(APP_URL, win.webContents, 'relative/path');
    expect(dialog.showOpenDialog.mock.lastCall?.[1]).not.toHaveProperty('defaultPath');
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await ask(APP_URL, win.webContents)).toEqual({ ok: true, result: null });
  });

  it('refuses other pages and windows without opening anything', async () => {
    const { win, ask } = setup();
    const foreign = await ask('https://evil.example/', win.webContents);
    const stranger = await ask(APP_URL, new BrowserWindow({}).webContents);
    for (const reply of [foreign, stranger])
      expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
  });
});
