/**
 * What needs the user's attention when Cairn runs unattended, in the desktop shell: a locked
 * repository with scheduled sources turns the tray to "Needs your password — <repository>" with an
 * "Unlock …" item that opens the window (the Dashboard shows the unlock form); an open incident
 * turns it to an alert, with the 72-hour deadline once it is within 24 hours. Each incident
 * notifies once when open and once when its deadline comes near; a scheduled backup that could not
 * start notifies as a failed backup under the usual throttle.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { type DesktopShell, startDesktop } from '../../src/main/app-lifecycle.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import { type AppStatus, type NotificationContent, Notifier, type Task } from '../../src/main/notifier.js';
import {
  attentionStatus,
  formatClock,
  type IncidentAlert,
  incidentLine,
  statusLines,
  trayIconFor,
  trayMenuTemplate,
} from '../../src/main/tray.js';
import { BrowserWindow, Notification, resetFake, Tray } from './fake-electron.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse('2026-12-07T14:02:00Z');
const at = (ms: number) => new Date(ms).toISOString();

function status(extra: Partial<AppStatus> = {}): AppStatus {
  return {
    version: '1.0.0',
    dataDir: '/tmp/cairn',
    repositories: [
      {
        id: 'nas',
        label: 'NAS',
        location: 'sftp://backup@nas.local/srv/nas',
        kind: 'sftp',
        region: 'EU',
        unlocked: false,
        lastBackupAt: null,
        lastCheckAt: null,
        storage: { reachable: true, unreachableSince: null, reason: null },
      },
    ],
    runningTasks: 0,
    lastSuccessfulBackupAt: null,
    ...extra,
  };
}

const incident = (hoursLeft: number, id = 'i1'): IncidentAlert & { repositoryId: string | null } => ({
  id,
  repositoryId: null,
  title: 'Backup disk lost on a train',
  notifyBy: at(START + hoursLeft * HOUR),
  hoursLeft,
});

function lockedBackup(id = 't1'): Task {
  return {
    id,
    kind: 'backup',
    status: 'failed',
    repositoryId: 'nas',
    createdAt: at(START),
    startedAt: at(START),
    finishedAt: at(START),
    progress: null,
    messages: [],
    error: 'needs your password: the repository is locked',
    result: null,
  };
}

describe('tray lines for what needs attention', () => {
  const now = new Date(START);
  const base = { lastBackupAt: null, now, pausedUntil: null };
  const actions = { open: vi.fn(), backUpNow() {}, pause() {}, resume() {}, quit() {} };

  it('status order: incident, then needed password, then unreachable storage, then a failure', () => {
    const unreachable = [{ label: 'NAS', since: at(START), reason: null }];
    const needsPassword = [{ id: 'nas', label: 'NAS' }];
    expect(attentionStatus({ unreachable, needsPassword, incidents: [incident(60)] }, true)).toBe('alert');
    expect(attentionStatus({ unreachable, needsPassword }, true)).toBe('needs-password');
    expect(attentionStatus({ unreachable }, true)).toBe('warning');
    expect(attentionStatus({}, true)).toBe('error');
    expect(attentionStatus({}, false)).toBe('idle');
    expect(trayIconFor('needs-password')).toBe('tray-error.png');
    expect(trayIconFor('alert')).toBe('tray-error.png');
  });

  it('needs-password: one line and one "Unlock …" item per repository; without unlock() it opens the window', () => {
    const state = {
      ...base,
      status: 'needs-password' as const,
      needsPassword: [
        { id: 'nas', label: 'NAS' },
        { id: 'usb', label: 'USB' },
      ],
    };
    expect(statusLines(state)).toEqual(['Needs your password — NAS', 'Needs your password — USB']);
    const menu = trayMenuTemplate(state, actions);
    const unlock = menu.filter((item) => String(item.label).startsWith('Unlock'));
    expect(unlock.map((item) => item.label)).toEqual(['Unlock “NAS”…', 'Unlock “USB”…']);
    unlock[0]?.click?.({} as never, undefined, {} as never);
    expect(actions.open).toHaveBeenCalledTimes(1);
    const unlockOne = vi.fn();
    trayMenuTemplate(state, { ...actions, unlock: unlockOne })
      .find((item) => item.label === 'Unlock “USB”…')
      ?.click?.({} as never, undefined, {} as never);
    expect(unlockOne).toHaveBeenCalledWith('usb');
  });

  it('alert: an open incident, its deadline once within 24 hours, overdue once passed', () => {
    expect(incidentLine(incident(60))).toBe('Incident open — Backup disk lost on a train');
    expect(incidentLine(incident(5.5))).toBe(
      `Incident: report by ${formatClock(new Date(START + 5.5 * HOUR))} (5 hours left) — Backup disk lost on a train`,
    );
    expect(incidentLine(incident(-1))).toBe('Incident: report overdue — Backup disk lost on a train');
    expect(
      statusLines({
        ...base,
        status: 'alert',
        incidents: [incident(60)],
        needsPassword: [{ id: 'nas', label: 'NAS' }],
      }),
    ).toEqual(['Incident open — Backup disk lost on a train', 'Needs your password — NAS']);
    expect(statusLines({ ...base, status: 'running', incidents: [incident(60)] })).toEqual([
      'Backing up…',
      'Incident open — Backup disk lost on a train',
    ]);
  });
});

describe('Notifier: incidents and scheduled backups that could not start', () => {
  function setup() {
    let nowMs = START;
    const shown: NotificationContent[] = [];
    const notifier = new Notifier({ show: (n) => shown.push(n), now: () => new Date(nowMs), throttleMs: 6 * HOUR });
    return { notifier, shown, advance: (ms: number) => (nowMs += ms) };
  }

  it('one notification per incident when open, one more when its deadline is within 24 hours', () => {
    const { notifier, shown, advance } = setup();
    notifier.onStatus(status({ openIncidents: [incident(60)] }));
    notifier.onStatus(status({ openIncidents: [incident(59)] }));
    expect(shown.map((n) => n.title)).toEqual(['Incident open']);
    advance(36 * HOUR);
    notifier.onStatus(status({ openIncidents: [incident(23)] }));
    notifier.onStatus(status({ openIncidents: [incident(22)] }));
    advance(7 * HOUR);
    notifier.onStatus(status({ openIncidents: [incident(15)] }));
    expect(shown.map((n) => n.title)).toEqual(['Incident open', 'Incident deadline in less than 24 hours']);
    expect(shown[1]?.body).toMatch(
      /^Backup disk lost on a train: notify the authority by \d\d:\d\d \(23 hours left\)\.$/,
    );
    // A second incident has causes of its own.
    notifier.onStatus(status({ openIncidents: [incident(15), incident(10, 'i2')] }));
    expect(shown.map((n) => n.title)).toEqual([
      'Incident open',
      'Incident deadline in less than 24 hours',
      'Incident open',
      'Incident deadline in less than 24 hours',
    ]);
  });

  it('a scheduled backup of a locked repository notifies once per throttle window', () => {
    const { notifier, shown, advance } = setup();
    notifier.onStatus(status());
    notifier.onTask(lockedBackup('t1'));
    advance(HOUR);
    notifier.onTask(lockedBackup('t2'));
    expect(shown).toEqual([
      { title: 'Backup needs your password', body: 'NAS: needs your password: the repository is locked' },
    ]);
    advance(6 * HOUR);
    notifier.onTask(lockedBackup('t3'));
    expect(shown).toHaveLength(2);
  });
});

class FakeEngine implements EngineLike {
  listeners = new Set<EngineEventListener>();
  async handle(method: string): Promise<unknown> {
    if (method === 'app.status') return status();
    if (method === 'settings.get') return { launchAtLogin: false, notifications: true };
    return {};
  }
  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async close(): Promise<void> {}
  emit(name: 'task.updated' | 'app.status', payload: unknown): void {
    for (const listener of this.listeners) listener({ name, payload });
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the desktop shell', () => {
  let home: string;
  let engine: FakeEngine;
  let shell: DesktopShell;
  let nowMs: number;

  beforeEach(async () => {
    resetFake();
    home = await mkdtemp(join(tmpdir(), 'cairn-shell-attention-'));
    engine = new FakeEngine();
    nowMs = START;
    shell = startDesktop({
      engine,
      appUrl: 'file:///opt/Cairn/out/renderer/index.html',
      preloadPath: '/opt/Cairn/out/preload/index.cjs',
      iconDir: '/opt/Cairn/icons',
      dev: false,
      startHidden: true,
      platform: 'linux',
      homeDir: home,
      now: () => new Date(nowMs),
    });
    await flush();
  });
  afterEach(async () => {
    shell.quit();
    await flush();
    await rm(home, { recursive: true, force: true });
  });

  const tray = () => {
    const t = Tray.instances[0];
    if (!t) throw new Error('no tray');
    return t;
  };
  const labels = () => tray().menu?.template.map((item) => item.label) ?? [];

  it('a locked repository with scheduled sources: "Needs your password", and "Unlock …" opens the window', () => {
    engine.emit('app.status', status({ needsPassword: ['nas'] }));
    expect(shell.trayState()).toMatchObject({ status: 'needs-password', needsPassword: [{ id: 'nas', label: 'NAS' }] });
    expect(labels()[0]).toBe('Needs your password — NAS');
    expect(tray().tooltip).toBe('Cairn — Needs your password — NAS');
    expect(tray().image.path).toBe('/opt/Cairn/icons/tray-error.png');
    const windows = BrowserWindow.instances.length;
    expect(BrowserWindow.instances.some((w) => w.visible)).toBe(false); // started hidden, in the tray
    const unlock = tray().menu?.template.find((item) => item.label === 'Unlock “NAS”…');
    (unlock?.click as (() => void) | undefined)?.();
    expect(BrowserWindow.instances).toHaveLength(Math.max(windows, 1));
    expect(BrowserWindow.instances.at(-1)?.visible).toBe(true);
    // Its scheduled runs fail: one notification, not one per run.
    engine.emit('task.updated', lockedBackup('t1'));
    engine.emit('task.updated', lockedBackup('t2'));
    expect(Notification.shown.map((n) => n.title)).toEqual(['Backup needs your password']);
    // Unlocked: back to the failed backup until the next one succeeds.
    engine.emit('app.status', status({ needsPassword: [] }));
    expect(shell.trayState().status).toBe('error');
  });

  it('an open incident marks the tray and notifies once; its deadline within 24 hours once more', () => {
    engine.emit('app.status', status({ openIncidents: [incident(60)] }));
    expect(shell.trayState().status).toBe('alert');
    expect(labels()[0]).toBe('Incident open — Backup disk lost on a train');
    engine.emit('app.status', status({ openIncidents: [incident(59)] }));
    expect(Notification.shown.map((n) => n.title)).toEqual(['Incident open']);
    nowMs += 40 * HOUR;
    engine.emit('app.status', status({ openIncidents: [incident(20)] }));
    engine.emit('app.status', status({ openIncidents: [incident(19)] }));
    expect(labels()[0]).toMatch(/^Incident: report by \d\d:\d\d \(19 hours left\) — Backup disk lost on a train$/);
    expect(Notification.shown.map((n) => n.title)).toEqual([
      'Incident open',
      'Incident deadline in less than 24 hours',
    ]);
    // Closed: the tray is quiet again.
    engine.emit('app.status', status({ openIncidents: [] }));
    expect(shell.trayState().status).toBe('idle');
  });
});
