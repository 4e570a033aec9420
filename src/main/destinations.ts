/**
 * Sends the page a destination (the desktop contract's DesktopDestination, on SHOW_CHANNEL): the
 * tray's "Unlock “NAS”…" and a notification about a locked repository take the person to that
 * repository's unlock form. A window still loading gets it once it has loaded (the preload keeps
 * it until the page listens), since a message sent earlier would reach no listener at all.
 */
import type { BrowserWindow } from 'electron';
import { type DesktopDestination, SHOW_CHANNEL } from '../contract/desktop.js';

export function sendDestination(win: BrowserWindow, destination: DesktopDestination): void {
  const contents = win.webContents;
  if (!contents.isLoading()) {
    contents.send(SHOW_CHANNEL, destination);
    return;
  }
  contents.once('did-finish-load', () => {
    if (!win.isDestroyed()) contents.send(SHOW_CHANNEL, destination);
  });
}
