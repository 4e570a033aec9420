/**
 * The desktop shell's lifecycle once Electron is ready: the single window (hidden on close, kept
 * for the tray), the second-instance hand-off, the tray icon and menu rebuilt from engine events
 * (a repository whose storage does not answer turns the tray to a warning with its own line),
 * "Back up now", pausing (the engine's one pause, shown from `app.status`), launch at login,
 * power tracking and the machine conditions (idle, metered: conditions.ts), desktop notifications (failures, stale
 * backups and storage that stopped answering, see notifier.ts) and an orderly shutdown of the engine. The tray's
 * "Unlock …" items and a notification about a locked repository open the window on that
 * repository's unlock form (a destination sent to the page, destinations.ts). The app settings kept by
 * the engine ('settings.get', announced by 'settings.updated') are obeyed: launch at login is
 * turned on or off to match, and notifications are not shown while switched off.
 */

import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, nativeImage, powerMonitor, Tray } from 'electron';
import type { DesktopDestination } from '../contract/desktop.js';
import { type PauseChoice, pauseUntilFor } from '../contract/pause.js';
import { watchConditions } from './conditions.js';
import { sendDestination } from './destinations.js';
import type { EngineLike } from './engine-like.js';
import { registerIpc } from './ipc.js';
import { applyLoginDefault } from './login-default.js';
import { isLaunchAtLogin, setLaunchAtLogin } from './login-item.js';
import { type CommandRunner, runCommand } from './network-cost.js';
import { type AppStatus, type NotificationContent, Notifier, type Task } from './notifier.js';
import { type PowerState, watchPower } from './power.js';
import { type PasswordVault, type UnlockOutcome, unlockRemembered } from './secrets.js';
import { handOverCredentials, type StorageCredentialVault } from './storage-credentials.js';
import {
  attentionOf,
  attentionStatus,
  pauseOf,
  type TrayState,
  type TrayStatus,
  trayIconFor,
  trayMenuTemplate,
  trayTooltip,
  type UnreachableStorage,
  waitingOf,
} from './tray.js';
import { hardenWindow, windowOptions } from './window.js';

const MENU_REFRESH_MS = 60_000;
/** Notifications kept referenced so their click handlers are not garbage-collected. */
const KEPT_NOTIFICATIONS = 10;

/**
 * At start (and after the engine restarted, which comes back with everything locked): hands the
 * kept storage credentials of remote repositories to the engine first (their storage cannot be
 * reached without them), then unlocks every repository whose password is remembered. A remembered
 * password the repository refuses is kept and marked stale (see unlockRemembered). Never throws.
 */
export async function unlockAtStart(
  engine: Pick<EngineLike, 'handle'>,
  vault: PasswordVault | undefined,
  storageVault: StorageCredentialVault | undefined,
  log?: (message: string) => void,
): Promise<UnlockOutcome[]> {
  if (storageVault) await handOverCredentials(storageVault, engine, log);
  return vault ? unlockRemembered(vault, engine, log) : [];
}

/** Takes the single-instance lock; when another Cairn holds it, asks this one to quit. */
export function acquireSingleInstance(): boolean {
  const locked = app.requestSingleInstanceLock();
  if (!locked) app.quit();
  return locked;
}

export interface DesktopOptions {
  engine: EngineLike;
  /** Marker file recording that launch at login was turned on by default (see login-default.ts). */
  loginDefaultMarker?: string;
  /** Remembered repository passwords (safeStorage); without it, passwords are asked at every start. */
  vault?: PasswordVault;
  /** Kept storage credentials of remote repositories (safeStorage); without it they last one session. */
  storageVault?: StorageCredentialVault;
  /** What the window loads: the packaged renderer's file:// URL or the dev server's URL. */
  appUrl: string;
  preloadPath: string;
  /** Folder holding tray-*.png. */
  iconDir: string;
  /** Dev server mode (no CSP header, which would block its hot-reload scripts). */
  dev: boolean;
  /** Started at login: stay in the tray until opened. */
  startHidden: boolean;
  platform: NodeJS.Platform;
  homeDir: string;
  now?: () => Date;
  /** Runs the command that tells whether the connection is metered (default: the real one; tests pass recorded answers). */
  runCommand?: CommandRunner;
}

export interface DesktopShell {
  window(): BrowserWindow | null;
  openWindow(): void;
  /** Opens the window on a destination (the tray's "Unlock …", a notification about a locked repository). */
  show(destination: DesktopDestination): void;
  backUpNow(): Promise<void>;
  /** Pauses scheduled backups in the engine (the tray's Pause submenu). */
  pause(choice: PauseChoice): void;
  resume(): void;
  /** Turns launch at login on or off (the tray's "Open at login" item). */
  setLaunchAtLogin(enabled: boolean): Promise<void>;
  trayState(): TrayState;
  readonly power: Readonly<PowerState>;
  quit(): void;
}

interface RepoSummary {
  id: string;
  unlocked: boolean;
}
interface TaskSummary {
  id: string;
  kind: string;
  status: string;
  finishedAt: string | null;
}

export function startDesktop(options: DesktopOptions): DesktopShell {
  const { engine } = options;
  const now = options.now ?? (() => new Date());
  let win: BrowserWindow | null = null;
  let quitting = false;
  let engineClosing = false;
  let engineClosed = false;
  let lastBackupAt: string | null = null;
  let lastBackupFailed = false;
  let launchAtLogin = false;
  /** The engine's app settings, once read (null until then: defaults apply). */
  let settings: { launchAtLogin: boolean; notifications: boolean } | null = null;
  const runningBackups = new Set<string>();
  let lastStatus: AppStatus | null = null;
  const shownNotifications: Notification[] = [];

  const windows = (): BrowserWindow[] => (win && !win.isDestroyed() ? [win] : []);

  function createWindow(show: boolean): BrowserWindow {
    const created = new BrowserWindow(windowOptions(options.preloadPath, join(options.iconDir, 'icon.png')));
    hardenWindow(created, options.appUrl, { contentSecurityPolicy: !options.dev });
    created.once('ready-to-show', () => {
      if (show) created.show();
    });
    created.on('close', (event) => {
      if (!quitting) {
        event.preventDefault();
        created.hide();
      }
    });
    created.on('closed', () => {
      if (win === created) win = null;
    });
    void created.loadURL(options.appUrl);
    return created;
  }

  function openWindow(): void {
    if (!win || win.isDestroyed()) {
      win = createWindow(true);
      return;
    }
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  function show(destination: DesktopDestination): void {
    openWindow();
    if (win && !win.isDestroyed()) sendDestination(win, destination);
  }

  /** The repositories whose storage does not answer, from the latest status. */
  function unreachableStorage(): UnreachableStorage[] {
    const repositories = Array.isArray(lastStatus?.repositories) ? lastStatus.repositories : [];
    return repositories
      .filter((repo) => repo.storage && !repo.storage.reachable)
      .map((repo) => ({ label: repo.label, since: repo.storage.unreachableSince ?? '', reason: repo.storage.reason }));
  }

  function trayState(): TrayState {
    const at = now();
    const unreachable = unreachableStorage();
    const attention = attentionOf(lastStatus);
    // The engine's pause, as its status has it; one whose time has passed is over.
    const pause = pauseOf(lastStatus, at);
    let status: TrayStatus = 'idle';
    if (runningBackups.size > 0) status = 'running';
    else {
      // An incident, then a locked repository with schedules; storage that does not answer
      // explains a failed backup too, and Cairn keeps retrying (tray.ts: attentionStatus). A pause
      // may last until resumed, so it never hides any of those.
      status = attentionStatus({ unreachable, ...attention }, lastBackupFailed);
      if (pause && (status === 'idle' || status === 'error')) status = 'paused';
    }
    return {
      status,
      lastBackupAt,
      now: at,
      pause,
      unreachable,
      ...attention,
      waiting: waitingOf(lastStatus),
    };
  }

  function showNotification(content: NotificationContent): void {
    if (settings && !settings.notifications) return;
    try {
      if (!Notification.isSupported()) return;
      const notification = new Notification({ title: content.title, body: content.body });
      notification.on('click', () => (content.opens ? show(content.opens) : openWindow()));
      shownNotifications.push(notification);
      if (shownNotifications.length > KEPT_NOTIFICATIONS) shownNotifications.shift();
      notification.show();
    } catch (err) {
      console.error(`Cairn could not show a notification: ${(err as Error).message}`);
    }
  }

  const notifier = new Notifier({ show: showNotification, now });

  let loginDefaultDone = false;
  /** Whether the engine's settings were asked for (the login default waits for them). */
  let settingsRead = false;
  function applyStatus(status: AppStatus): void {
    lastStatus = status;
    lastBackupAt = status.lastSuccessfulBackupAt;
    notifier.onStatus(status);
    rebuildTray();
    maybeApplyLoginDefault();
  }

  /** Launch at login turns on once the first repository exists, unless the settings say off. */
  function maybeApplyLoginDefault(): void {
    const hasRepository = (lastStatus?.repositories?.length ?? 0) > 0;
    if (!options.loginDefaultMarker || loginDefaultDone || !settingsRead || !hasRepository) return;
    if (settings?.launchAtLogin === false) return;
    loginDefaultDone = true;
    void applyLoginDefault(options.loginDefaultMarker, true, async () => {
      await setLaunchAtLogin(true, options.platform, options.homeDir);
      launchAtLogin = true;
      rebuildTray();
    }).catch((err: unknown) => console.error(`Cairn could not turn on launch at login: ${(err as Error).message}`));
  }

  const tray = new Tray(nativeImage.createFromPath(join(options.iconDir, trayIconFor('idle', options.platform))));
  let shownIcon: TrayStatus = 'idle';

  function rebuildTray(): void {
    const state = trayState();
    if (state.status !== shownIcon) {
      tray.setImage(nativeImage.createFromPath(join(options.iconDir, trayIconFor(state.status, options.platform))));
      shownIcon = state.status;
    }
    tray.setToolTip(trayTooltip(state));
    const template = trayMenuTemplate(state, {
      open: openWindow,
      unlock: (repositoryId) => show({ show: 'unlock', repositoryId }),
      backUpNow: () => void backUpNow(),
      pause,
      resume,
      quit,
    });
    template.splice(template.length - 2, 0, {
      label: 'Open at login',
      type: 'checkbox',
      checked: launchAtLogin,
      click: (item) => void toggleLaunchAtLogin(item.checked),
    });
    tray.setContextMenu(Menu.buildFromTemplate(template));
  }

  async function applyLaunchAtLogin(enabled: boolean): Promise<void> {
    try {
      await setLaunchAtLogin(enabled, options.platform, options.homeDir);
      launchAtLogin = enabled;
    } catch (err) {
      console.error(`Cairn could not change launch at login: ${(err as Error).message}`);
    }
    rebuildTray();
  }

  /** The tray's "Open at login": applied, and kept in the engine's settings (the Settings screen shows it). */
  async function toggleLaunchAtLogin(enabled: boolean): Promise<void> {
    await applyLaunchAtLogin(enabled);
    await engine
      .handle('settings.set', { launchAtLogin: enabled })
      .catch((err: unknown) => console.error(`Cairn could not save the setting: ${(err as Error).message}`));
  }

  /** Obeys the engine's settings; launch at login is only ever switched to match a user's choice. */
  function applySettings(value: unknown): void {
    const next = readAppSettings(value);
    if (!next) return;
    const first = settings === null;
    const previous = settings;
    settings = next;
    const changed = first ? !next.launchAtLogin : previous?.launchAtLogin !== next.launchAtLogin;
    if (changed && next.launchAtLogin !== launchAtLogin) void applyLaunchAtLogin(next.launchAtLogin);
  }

  async function backUpNow(): Promise<void> {
    try {
      const repos = (await engine.handle('repo.list', {})) as RepoSummary[];
      const unlocked = repos.filter((repo) => repo.unlocked);
      if (unlocked.length === 0) {
        // Nothing can be backed up until a repository is unlocked: show the window to do that.
        openWindow();
        return;
      }
      for (const repo of unlocked) await engine.handle('backup.start', { repositoryId: repo.id });
    } catch (err) {
      lastBackupFailed = true;
      console.error(`Cairn could not start a backup: ${(err as Error).message}`);
      rebuildTray();
    }
  }

  /**
   * Pauses (or, with null, resumes) scheduled backups in the engine, which keeps the one pause the
   * tray, the Dashboard and `cairn pause` share; its `app.status` event then redraws the tray.
   */
  function pauseSchedules(until: string | null): void {
    engine.handle('sources.pause', { until }).catch((err: unknown) => {
      // With no folders yet there is nothing to hold back; anything else is worth a line.
      console.error(`Cairn could not ${until ? 'pause' : 'resume'} scheduled backups: ${(err as Error).message}`);
    });
  }

  function pause(choice: PauseChoice): void {
    pauseSchedules(pauseUntilFor(choice, now()));
  }

  function resume(): void {
    pauseSchedules(null);
  }

  function quit(): void {
    quitting = true;
    app.quit();
  }

  const stopIpc = registerIpc({
    ipcMain,
    engine,
    appUrl: options.appUrl,
    windows,
    vault: options.vault,
    storageVault: options.storageVault,
    dialog,
  });

  const unsubscribe = engine.subscribe(({ name: event, payload }) => {
    if (event === 'task.updated') {
      const task = payload as TaskSummary;
      notifier.onTask(payload as Task);
      if (task.kind !== 'backup') return;
      if (task.status === 'queued' || task.status === 'running' || task.status === 'cancelling') {
        runningBackups.add(task.id);
      } else {
        runningBackups.delete(task.id);
        if (task.status === 'succeeded') {
          lastBackupFailed = false;
          lastBackupAt = task.finishedAt ?? now().toISOString();
        } else if (task.status === 'failed') {
          lastBackupFailed = true;
        }
      }
      rebuildTray();
    } else if (event === 'app.status') {
      applyStatus(payload as AppStatus);
    } else if (event === 'settings.updated') {
      applySettings(payload);
    }
  });

  // The engine's scheduler obeys power: nothing runs while suspended, catch-up on resume, and
  // sources that require AC power wait while on battery.
  const sendPower = (state: Readonly<PowerState>): void => {
    void engine
      .handle('app.setPower', { onBattery: state.onBattery, suspended: state.suspended })
      .catch((err: unknown) => console.error(`Cairn could not pass the power state on: ${(err as Error).message}`));
  };
  const power = watchPower(powerMonitor, (_event, state) => sendPower(state));
  sendPower(power.state);
  // Folders set to back up only when the computer is idle, or not on a metered connection, wait on these.
  const conditions = watchConditions({
    monitor: powerMonitor,
    platform: options.platform,
    run: options.runCommand ?? runCommand,
    send: (reading) =>
      void engine
        .handle('app.setConditions', reading)
        .catch((err: unknown) =>
          console.error(`Cairn could not pass the idle and network state on: ${(err as Error).message}`),
        ),
  });
  const refresh = setInterval(() => {
    rebuildTray();
    // Staleness grows with time alone, so re-judge the last status on every tick.
    if (lastStatus) notifier.onStatus(lastStatus);
  }, MENU_REFRESH_MS);
  refresh.unref();

  tray.on('click', openWindow);
  app.on('second-instance', openWindow);
  app.on('activate', openWindow);
  // Windows only hide on close, so this fires only while quitting; do not quit implicitly.
  app.on('window-all-closed', () => {});
  app.on('before-quit', (event) => {
    quitting = true;
    if (engineClosed) return;
    event.preventDefault();
    if (engineClosing) return;
    engineClosing = true;
    clearInterval(refresh);
    shownNotifications.length = 0;
    power.stop();
    conditions.stop();
    unsubscribe();
    stopIpc();
    tray.destroy();
    engine
      .close()
      .catch((err: unknown) => console.error(`Cairn could not close the engine cleanly: ${(err as Error).message}`))
      .finally(() => {
        engineClosed = true;
        app.quit();
      });
  });

  win = createWindow(!options.startHidden);
  rebuildTray();
  void engine
    .handle('app.status', {})
    .then((status) => applyStatus(status as AppStatus))
    .catch((err: unknown) => console.error(`Cairn could not read its status: ${(err as Error).message}`));
  void isLaunchAtLogin(options.platform, options.homeDir)
    .then((enabled) => {
      launchAtLogin = enabled;
      rebuildTray();
      return engine.handle('settings.get', {});
    })
    .then(applySettings)
    .catch((err: unknown) => console.error(`Cairn could not read its settings: ${(err as Error).message}`))
    .finally(() => {
      settingsRead = true;
      maybeApplyLoginDefault();
    });

  return {
    window: () => (win && !win.isDestroyed() ? win : null),
    openWindow,
    show,
    backUpNow,
    pause,
    resume,
    setLaunchAtLogin: toggleLaunchAtLogin,
    trayState,
    power: power.state,
    quit,
  };
}

/** The app settings from the engine, or null when the value is not shaped like them. */
function readAppSettings(value: unknown): { launchAtLogin: boolean; notifications: boolean } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { launchAtLogin, notifications } = value as Record<string, unknown>;
  if (typeof launchAtLogin !== 'boolean' || typeof notifications !== 'boolean') return null;
  return { launchAtLogin, notifications };
}
