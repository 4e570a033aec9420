/**
 * Launch at login: Windows and macOS through Electron's login item settings, Linux through an
 * XDG autostart entry (~/.config/autostart/cairn.desktop) written or removed here.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { app } from 'electron';

export function autostartFile(homeDir: string): string {
  return join(homeDir, '.config', 'autostart', 'cairn.desktop');
}

/** Quotes an Exec argument as the Desktop Entry specification requires. */
function quoteExec(path: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(path) ? path : `"${path.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(execPath: string): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Cairn',
    'Comment=Encrypted backups',
    `Exec=${quoteExec(execPath)} --hidden`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

/**
 * Turns launch at login on or off. `execPath` is what Linux should start (the AppImage when the
 * app runs from one, else the executable).
 */
export async function setLaunchAtLogin(
  enabled: boolean,
  platform: NodeJS.Platform,
  homeDir: string,
  execPath: string = process.env.APPIMAGE ?? process.execPath,
): Promise<void> {
  if (platform === 'win32' || platform === 'darwin') {
    app.setLoginItemSettings({ openAtLogin: enabled, args: enabled ? ['--hidden'] : [] });
    return;
  }
  const file = autostartFile(homeDir);
  if (enabled) {
    await mkdir(join(homeDir, '.config', 'autostart'), { recursive: true });
    await writeFile(file, autostartEntry(execPath), { mode: 0o644 });
  } else {
    await rm(file, { force: true });
  }
}

export async function isLaunchAtLogin(platform: NodeJS.Platform, homeDir: string): Promise<boolean> {
  if (platform === 'win32' || platform === 'darwin') return app.getLoginItemSettings().openAtLogin;
  try {
    return (await readFile(autostartFile(homeDir), 'utf8')).includes('[Desktop Entry]');
  } catch {
    return false;
  }
}
