import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { autostartFile, isLaunchAtLogin, setLaunchAtLogin } from '../../src/main/login-item.js';
import { app, resetFake } from './fake-electron.js';

describe('setLaunchAtLogin', () => {
  let home: string;
  beforeEach(async () => {
    resetFake();
    home = await mkdtemp(join(tmpdir(), 'cairn-login-'));
  });
  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  for (const platform of ['win32', 'darwin'] as const) {
    it(`uses Electron's login item on ${platform}`, async () => {
      await setLaunchAtLogin(true, platform, home, '/Applications/Cairn.app');
      expect(app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: true, args: ['--hidden'] });
      expect(await isLaunchAtLogin(platform, home)).toBe(true);
      await setLaunchAtLogin(false, platform, home, '/Applications/Cairn.app');
      expect(app.setLoginItemSettings).toHaveBeenLastCalledWith({ openAtLogin: false, args: [] });
      expect(await isLaunchAtLogin(platform, home)).toBe(false);
      await expect(stat(autostartFile(home))).rejects.toThrow();
    });
  }

  it('writes and removes an XDG autostart entry on Linux', async () => {
    expect(await isLaunchAtLogin('linux', home)).toBe(false);
    await setLaunchAtLogin(true, 'linux', home, '/home/me/Apps/Cairn 1.0.AppImage');
    const file = join(home, '.config', 'autostart', 'cairn.desktop');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain('Type=Application');
    expect(text).toContain('Exec="/home/me/Apps/Cairn 1.0.AppImage" --hidden');
    expect(await isLaunchAtLogin('linux', home)).toBe(true);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();

    await setLaunchAtLogin(false, 'linux', home, '/usr/bin/cairn');
    await expect(stat(file)).rejects.toThrow();
    expect(await isLaunchAtLogin('linux', home)).toBe(false);
    // Turning it off twice is fine.
    await setLaunchAtLogin(false, 'linux', home, '/usr/bin/cairn');
  });
});
