/**
 * One set-up for the tests of the running desktop shell (startDesktop) over the fake `electron`
 * module: an engine that answers `app.status` with what the test gives and lets it emit events, the
 * shell started hidden in the tray on a temp home folder, with a clock the test moves, and the
 * tray, its menu and the window to inspect and drive. The test file itself must call
 * `vi.mock('electron', () => import('./fake-electron.js'))` (vitest hoists it there only).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventName } from '../../src/contract/events.js';
import { type DesktopShell, startDesktop } from '../../src/main/app-lifecycle.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import type { AppStatus } from '../../src/main/notifier.js';
import { BrowserWindow, resetFake, Tray } from './fake-electron.js';

export const APP_URL = 'file:///opt/Cairn/out/renderer/index.html';

/** The options every test starts the shell with: hidden in the tray, as at login, on Linux, in `homeDir`. */
export function trayShellOptions(homeDir: string) {
  return {
    appUrl: APP_URL,
    preloadPath: '/opt/Cairn/out/preload/index.cjs',
    iconDir: '/opt/Cairn/icons',
    dev: false,
    startHidden: true,
    platform: 'linux' as const,
    homeDir,
  };
}

/** Lets pending promise callbacks and immediates run. */
export const flush = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/** An engine that answers the status it is given, records every call and emits what the test asks. */
export class StatusEngine implements EngineLike {
  readonly calls: Array<[string, unknown]> = [];
  private readonly listeners = new Set<EngineEventListener>();
  constructor(private readonly status: () => AppStatus) {}
  async handle(method: string, params: unknown): Promise<unknown> {
    this.calls.push([method, params]);
    if (method === 'app.status') return this.status();
    if (method === 'settings.get') return { launchAtLogin: false, notifications: true };
    return {};
  }
  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async close(): Promise<void> {}
  emit(name: EventName, payload: unknown): void {
    for (const listener of this.listeners) listener({ name, payload });
  }
}

export interface TestDesktop {
  shell: DesktopShell;
  engine: StatusEngine;
  /** Moves the shell's clock on. */
  advance(ms: number): void;
  tray(): Tray;
  /** The labels of the tray menu, in order. */
  menuLabels(): unknown[];
  /** Clicks the tray menu item with this label (fails the test when there is none). */
  clickMenu(label: string): void;
  /** The window the shell made (fails the test when there is none). */
  window(): BrowserWindow;
  /** Quits the shell and removes the temp home folder. */
  stop(): Promise<void>;
}

/** Starts the shell hidden in the tray, as at login; the first status is `status()`. */
export async function startTestDesktop(options: {
  name: string;
  start: number;
  status: () => AppStatus;
}): Promise<TestDesktop> {
  resetFake();
  const home = await mkdtemp(join(tmpdir(), `cairn-shell-${options.name}-`));
  const engine = new StatusEngine(options.status);
  let nowMs = options.start;
  const shell = startDesktop({ ...trayShellOptions(home), engine, now: () => new Date(nowMs) });
  await flush();
  const tray = (): Tray => {
    const t = Tray.instances[0];
    if (!t) throw new Error('no tray');
    return t;
  };
  const desktop: TestDesktop = {
    shell,
    engine,
    advance: (ms) => {
      nowMs += ms;
    },
    tray,
    menuLabels: () => tray().menu?.template.map((item) => item.label) ?? [],
    clickMenu: (label) => {
      const item = tray().menu?.template.find((entry) => entry.label === label);
      if (typeof item?.click !== 'function') throw new Error(`no menu item ${label}`);
      (item.click as (menuItem: unknown) => void)(item);
    },
    window: () => {
      const win = BrowserWindow.instances.at(-1);
      if (!win) throw new Error('no window');
      return win;
    },
    stop: async () => {
      shell.quit();
      await flush();
      await rm(home, { recursive: true, force: true });
    },
  };
  return desktop;
}
