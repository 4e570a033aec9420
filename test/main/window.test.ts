import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import type { BrowserWindow as ElectronWindow } from 'electron';
import { CONTENT_SECURITY_POLICY, hardenWindow, isAppUrl, windowOptions } from '../../src/main/window.js';
import { BrowserWindow, defaultSession, fakeEvent, resetFake } from './fake-electron.js';

const APP_URL = 'file:///opt/Cairn/resources/app.asar/out/renderer/index.html';

function hardened(options?: { contentSecurityPolicy?: boolean }): BrowserWindow {
  const win = new BrowserWindow(windowOptions('/x/preload/index.cjs'));
  hardenWindow(win as unknown as ElectronWindow, APP_URL, options);
  return win;
}

describe('windowOptions', () => {
  it('isolates, sandboxes and keeps Node out of the page', () => {
    const options = windowOptions('/app/out/preload/index.cjs');
    expect(options.show).toBe(false);
    expect(options.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    });
    expect(options.icon).toBeUndefined();
    expect(windowOptions('/p.cjs', '/app/build/icon.png').icon).toBe('/app/build/icon.png');
  });
});

describe('isAppUrl', () => {
  it('accepts the same file with any hash or query, and nothing else', () => {
    expect(isAppUrl(`${APP_URL}#/snapshots`, APP_URL)).toBe(true);
    expect(isAppUrl(`${APP_URL}?x=1`, APP_URL)).toBe(true);
    expect(isAppUrl('file:///etc/passwd', APP_URL)).toBe(false);
    expect(isAppUrl('https://example.com/', APP_URL)).toBe(false);
    expect(isAppUrl('not a url', APP_URL)).toBe(false);
  });

  it('accepts the dev server origin only', () => {
    const dev = 'http://localhost:5173/';
    expect(isAppUrl('http://localhost:5173/some/route', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5173/', dev)).toBe(false);
  });
});

describe('hardenWindow', () => {
  beforeEach(resetFake);

  it('prevents navigation away from the app and allows it within', () => {
    const win = hardened();
    const away = fakeEvent();
    win.webContents.emit('will-navigate', away, 'https://evil.example/');
    expect(away.defaultPrevented).toBe(true);
    const redirect = fakeEvent();
    win.webContents.emit('will-redirect', redirect, 'https://evil.example/');
    expect(redirect.defaultPrevented).toBe(true);
    const within = fakeEvent();
    win.webContents.emit('will-navigate', within, `${APP_URL}#/settings`);
    expect(within.defaultPrevented).toBe(false);
  });

  it('denies window.open and webviews', () => {
    const win = hardened();
    expect(win.webContents.windowOpenHandler?.({ url: 'https://example.com' })).toEqual({ action: 'deny' });
    const attach = fakeEvent();
    win.webContents.emit('will-attach-webview', attach);
    expect(attach.defaultPrevented).toBe(true);
  });

  it('denies every permission request and check', () => {
    hardened();
    const answers: boolean[] = [];
    defaultSession.permissionRequestHandler?.({}, 'media', (granted) => answers.push(granted));
    defaultSession.permissionRequestHandler?.({}, 'notifications', (granted) => answers.push(granted));
    expect(answers).toEqual([false, false]);
    expect(defaultSession.permissionCheckHandler?.({}, 'clipboard-read')).toBe(false);
  });

  it('replaces any Content-Security-Policy header with the strict one', () => {
    hardened();
    let headers: Record<string, string | string[]> | undefined;
    defaultSession.headersListener?.(
      { url: APP_URL, responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] } },
      (response) => {
        headers = response.responseHeaders;
      },
    );
    expect(headers).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
    // No inline style but the printable records' own, by its hash.
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/]+=*';/);
  });

  it('leaves the headers alone when CSP is turned off (dev server)', () => {
    hardened({ contentSecurityPolicy: false });
    expect(defaultSession.headersListener).toBeNull();
    expect(defaultSession.permissionRequestHandler).not.toBeNull();
  });
});
