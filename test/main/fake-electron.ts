/**
 * A fake `electron` module for main-process and preload tests (no Electron binary can run here):
 * each class and module records what Cairn asks of it so tests can inspect and drive it.
 * Use with `vi.mock('electron', () => import('./fake-electron.js'))` and call `resetFake()`.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export interface FakeEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function fakeEvent(): FakeEvent {
  return {
    defaultPrevented: false,
    preventDefault() {
      this.defaultPrevented = true;
    },
  };
}

type HeadersListener = (
  details: { url: string; responseHeaders?: Record<string, string | string[]> },
  callback: (response: { responseHeaders?: Record<string, string | string[]> }) => void,
) => void;

export class FakeSession {
  permissionRequestHandler: ((wc: unknown, permission: string, cb: (granted: boolean) => void) => void) | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  headersListener: HeadersListener | null = null;
  readonly webRequest = {
    onHeadersReceived: (listener: HeadersListener) => {
      this.headersListener = listener;
    },
  };
  setPermissionRequestHandler(handler: FakeSession['permissionRequestHandler']): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: FakeSession['permissionCheckHandler']): void {
    this.permissionCheckHandler = handler;
  }
}

export class FakeWebContents extends EventEmitter {
  readonly sent: unknown[][] = [];
  /** From loadURL until the test calls finishLoading() on the window. */
  loading = false;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  constructor(readonly session: FakeSession) {
    super();
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
  }
  isLoading(): boolean {
    return this.loading;
  }
  setWindowOpenHandler(handler: FakeWebContents['windowOpenHandler']): void {
    this.windowOpenHandler = handler;
  }
}

export const defaultSession = new FakeSession();

export class BrowserWindow extends EventEmitter {
  static instances: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents(defaultSession);
  visible = false;
  minimized = false;
  destroyed = false;
  readonly calls: string[] = [];
  loadedUrl: string | null = null;
  constructor(readonly options: object) {
    super();
    BrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.loading = true;
    return Promise.resolve();
  }
  /** The page finished loading: 'did-finish-load', as Electron emits it. */
  finishLoading(): void {
    this.webContents.loading = false;
    this.webContents.emit('did-finish-load');
  }
  show(): void {
    this.calls.push('show');
    this.visible = true;
  }
  hide(): void {
    this.calls.push('hide');
    this.visible = false;
  }
  focus(): void {
    this.calls.push('focus');
  }
  restore(): void {
    this.calls.push('restore');
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** What Electron does when the user closes the window: 'close' (cancellable), then maybe 'closed'. */
  userClose(): FakeEvent {
    const event = fakeEvent();
    this.emit('close', event);
    if (!event.defaultPrevented) {
      this.destroyed = true;
      this.emit('closed');
    }
    return event;
  }
}

export const ipcMain = {
  handlers: new Map<string, (...args: unknown[]) => unknown>(),
  handle(channel: string, handler: (...args: unknown[]) => unknown): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
};

class FakeApp extends EventEmitter {
  lockAvailable = true;
  isPackaged = false;
  loginItem = { openAtLogin: false };
  readonly requestSingleInstanceLock = vi.fn(() => this.lockAvailable);
  readonly quit = vi.fn(() => {
    const event = fakeEvent();
    this.emit('before-quit', event);
  });
  readonly exit = vi.fn();
  readonly setLoginItemSettings = vi.fn((settings: { openAtLogin?: boolean }) => {
    this.loginItem = { openAtLogin: settings.openAtLogin ?? false };
  });
  getLoginItemSettings(): { openAtLogin: boolean } {
    return this.loginItem;
  }
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
}
export const app = new FakeApp();

export class Tray extends EventEmitter {
  static instances: Tray[] = [];
  tooltip = '';
  menu: { template: Array<Record<string, unknown>> } | null = null;
  destroyed = false;
  constructor(public image: { path: string }) {
    super();
    Tray.instances.push(this);
  }
  setImage(image: { path: string }): void {
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: { template: Array<Record<string, unknown>> }): void {
    this.menu = menu;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export const Menu = {
  buildFromTemplate: (template: Array<Record<string, unknown>>) => ({ template }),
};

export const nativeImage = {
  createFromPath: (path: string) => ({ path }),
};

class FakePowerMonitor extends EventEmitter {
  onBattery = false;
  /** What getSystemIdleState answers (a test may also make it throw with `idleError`). */
  idleState: 'active' | 'idle' | 'locked' | 'unknown' = 'active';
  idleError: Error | null = null;
  /** The thresholds getSystemIdleState was asked with. */
  readonly idleThresholds: number[] = [];
  isOnBatteryPower(): boolean {
    return this.onBattery;
  }
  getSystemIdleState(idleThreshold: number): 'active' | 'idle' | 'locked' | 'unknown' {
    this.idleThresholds.push(idleThreshold);
    if (this.idleError) throw this.idleError;
    return this.idleState;
  }
}
export const powerMonitor = new FakePowerMonitor();

export const dialog = {
  showErrorBox: vi.fn(),
  showOpenDialog: vi.fn(async (_window: unknown, _options: object) => ({
    canceled: false,
    filePaths: ['/home/me/Documents'],
  })),
};

/** Notifications: records what was shown; `supported` switches isSupported(). */
export class Notification extends EventEmitter {
  static supported = true;
  static shown: { title: string; body: string }[] = [];
  /** Every notification made, so a test can click one (`emit('click')`). */
  static instances: Notification[] = [];
  static isSupported(): boolean {
    return Notification.supported;
  }
  constructor(readonly options: { title: string; body: string }) {
    super();
    Notification.instances.push(this);
  }
  show(): void {
    Notification.shown.push(this.options);
  }
}

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  },
};

class FakeIpcRenderer extends EventEmitter {
  readonly invoke = vi.fn(async (_channel: string, ..._args: unknown[]): Promise<unknown> => undefined);
}
export const ipcRenderer = new FakeIpcRenderer();

/** A forked utility process: records what main posts and lets tests speak for the child. */
export class FakeUtilityProcess extends EventEmitter {
  static instances: FakeUtilityProcess[] = [];
  static nextPid = 4000;
  readonly posted: unknown[] = [];
  readonly pid = FakeUtilityProcess.nextPid++;
  killed = false;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: object,
  ) {
    super();
    FakeUtilityProcess.instances.push(this);
  }
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
  /** The child calls `process.parentPort.postMessage(message)`. */
  send(message: unknown): void {
    this.emit('message', message);
  }
  /** The child process ends with `code`. */
  exitWith(code: number): void {
    this.emit('exit', code);
  }
}

export const utilityProcess = {
  fork: vi.fn(
    (modulePath: string, args: string[] = [], options: object = {}) =>
      new FakeUtilityProcess(modulePath, args, options),
  ),
};

export function resetFake(): void {
  Notification.supported = true;
  Notification.shown = [];
  Notification.instances = [];
  FakeUtilityProcess.instances = [];
  utilityProcess.fork.mockClear();
  BrowserWindow.instances = [];
  Tray.instances = [];
  ipcMain.handlers.clear();
  app.removeAllListeners();
  app.lockAvailable = true;
  app.loginItem = { openAtLogin: false };
  app.requestSingleInstanceLock.mockClear();
  app.quit.mockClear();
  app.setLoginItemSettings.mockClear();
  dialog.showOpenDialog.mockClear();
  powerMonitor.removeAllListeners();
  powerMonitor.onBattery = false;
  powerMonitor.idleState = 'active';
  powerMonitor.idleError = null;
  powerMonitor.idleThresholds.length = 0;
  defaultSession.permissionRequestHandler = null;
  defaultSession.permissionCheckHandler = null;
  defaultSession.headersListener = null;
  contextBridge.exposed.clear();
  ipcRenderer.removeAllListeners();
  ipcRenderer.invoke.mockReset();
}
