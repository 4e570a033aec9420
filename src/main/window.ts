/**
 * The main window's security settings: BrowserWindow options (isolated, sandboxed, no Node),
 * refusal of navigation, pop-ups and permission requests, and the Content-Security-Policy header.
 * `isAppUrl` decides what counts as Cairn's own page (the packaged file:// page or the dev server).
 */
import type { BrowserWindow, BrowserWindowConstructorOptions, Session } from 'electron';
import { RECORD_STYLE_SOURCE } from '../app/privacy/record-style.js';

/**
 * The same policy the HTTP server sends with the browser version: the app's own files only, plus
 * the one inline style of the printable records (record-style.ts).
 */
export const CONTENT_SECURITY_POLICY =
  `default-src 'self'; script-src 'self'; style-src 'self' ${RECORD_STYLE_SOURCE}; img-src 'self' data:; ` +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * `iconPath`: the app icon for the window (Linux shows it in the title bar and task switcher;
 * macOS and Windows take the application's own icon and ignore it).
 */
export function windowOptions(preloadPath: string, iconPath?: string): BrowserWindowConstructorOptions {
  return {
    ...(iconPath ? { icon: iconPath } : {}),
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    title: 'Cairn',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  };
}

/**
 * True when `candidate` is Cairn's own page: for a file:// app the same file (any query or hash),
 * for the dev server the same origin.
 */
export function isAppUrl(candidate: string, appUrl: string): boolean {
  let target: URL;
  let app: URL;
  try {
    target = new URL(candidate);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (app.protocol === 'file:') return target.protocol === 'file:' && target.pathname === app.pathname;
  return target.origin === app.origin && target.origin !== 'null';
}

export interface HardenOptions {
  /**
   * Send the Content-Security-Policy header (default true). The electron-vite dev server needs
   * inline scripts for hot reload, so `npm run dev` turns it off; packaged builds keep it on.
   */
  contentSecurityPolicy?: boolean;
}

/**
 * Refuses everything a page should not do: navigating
 * away from `appUrl`, opening windows, attaching webviews and asking for permissions.
 */
export function hardenWindow(win: BrowserWindow, appUrl: string, options: HardenOptions = {}): void {
  const contents = win.webContents;
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  denyPermissions(contents.session);
  if (options.contentSecurityPolicy !== false) enforceContentSecurityPolicy(contents.session);
}

/** Denies every permission request and check (camera, notifications, clipboard…) for the session. */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** Adds the Content-Security-Policy header to every response the session receives. */
export function enforceContentSecurityPolicy(session: Session, policy: string = CONTENT_SECURITY_POLICY): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [policy];
    callback({ responseHeaders: headers });
  });
}
