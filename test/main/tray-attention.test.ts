/**
 * What needs the user's attention when Cairn runs unattended, in the desktop shell: a locked
 * repository with scheduled sources turns the tray to "Needs your password — <repository>" with an
 * "Unlock …" item that opens the window and sends the page to that repository's unlock form (as a
 * click on the "Backup needs your password" notification does); an open incident
 * turns it to an alert, with the 72-hour deadline once it is within 24 hours. Each incident
 * notifies once when open and once when its deadline comes near; a scheduled backup that could not
 * start notifies as a failed backup under the usual throttle.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { SHOW_CHANNEL } from '../../src/contract/desktop.js';
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
import { startTestDesktop, type TestDesktop } from './desktop-fixture.js';
import { BrowserWindow, Notification } from './fake-electron.js';

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
  const base = { lastBackupAt: null, now };
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
      {
        title: 'Backup needs your password',
        body: 'NAS: needs your password: the repository is locked',
        // Clicked, it opens the repository's unlock form.
        opens: { show: 'unlock', repositoryId: 'nas' },
      },
    ]);
    advance(6 * HOUR);
    notifier.onTask(lockedBackup('t3'));
    expect(shown).toHaveLength(2);
  });
});

describe('the desktop shell', () => {
  let desktop: TestDesktop;

  beforeEach(async () => {
    desktop = await startTestDesktop({ name: 'attention', start: START, status: () => status() });
  });
  afterEach(() => desktop.stop());

  const labels = () => desktop.menuLabels();
  const shown = () => desktop.window().webContents.sent.filter(([channel]) => channel === SHOW_CHANNEL);

  it('a locked repository with scheduled sources: "Needs your password", and "Unlock …" opens its unlock form', () => {
    desktop.engine.emit('app.status', status({ needsPassword: ['nas'] }));
    expect(desktop.shell.trayState()).toMatchObject({
      status: 'needs-password',
      needsPassword: [{ id: 'nas', label: 'NAS' }],
    });
    expect(labels()[0]).toBe('Needs your password — NAS');
    expect(desktop.tray().tooltip).toBe('Cairn — Needs your password — NAS');
    expect(desktop.tray().image.path).toBe('/opt/Cairn/icons/tray-error.png');
    const win = desktop.window();
    expect(win.visible).toBe(false); // started hidden, in the tray, its page still loading

    desktop.clickMenu('Unlock “NAS”…');
    expect(BrowserWindow.instances).toEqual([win]);
    expect(win.visible).toBe(true);
    expect(win.calls.slice(-2)).toEqual(['show', 'focus']);
    // Sent once the page has loaded: earlier, nothing would be listening.
    expect(shown()).toEqual([]);
    win.finishLoading();
    expect(shown()).toEqual([[SHOW_CHANNEL, { show: 'unlock', repositoryId: 'nas' }]]);
    // Loaded: a second click sends it at once.
    win.hide();
    desktop.clickMenu('Unlock “NAS”…');
    expect(win.visible).toBe(true);
    expect(shown()).toHaveLength(2);

    // Its scheduled runs fail: one notification, not one per run.
    desktop.engine.emit('task.updated', lockedBackup('t1'));
    desktop.engine.emit('task.updated', lockedBackup('t2'));
    expect(Notification.shown.map((n) => n.title)).toEqual(['Backup needs your password']);
    // Unlocked: back to the failed backup until the next one succeeds.
    desktop.engine.emit('app.status', status({ needsPassword: [] }));
    expect(desktop.shell.trayState().status).toBe('error');
  });

  it('a click on "Backup needs your password" opens the unlock form; other notifications just open the window', () => {
    const win = desktop.window();
    win.finishLoading();
    desktop.engine.emit('app.status', status({ openIncidents: [incident(60)] }));
    desktop.engine.emit('task.updated', lockedBackup('t1'));
    const [opened, locked] = Notification.instances;
    expect(Notification.instances.map((n) => n.options.title)).toEqual(['Incident open', 'Backup needs your password']);
    opened?.emit('click');
    expect(win.visible).toBe(true);
    expect(shown()).toEqual([]);
    win.hide();
    locked?.emit('click');
    expect(win.visible).toBe(true);
    expect(shown()).toEqual([[SHOW_CHANNEL, { show: 'unlock', repositoryId: 'nas' }]]);
  });

  it('an open incident marks the tray and notifies once; its deadline within 24 hours once more', () => {
    desktop.engine.emit('app.status', status({ openIncidents: [incident(60)] }));
    expect(desktop.shell.trayState().status).toBe('alert');
    expect(labels()[0]).toBe('Incident open — Backup disk lost on a train');
    desktop.engine.emit('app.status', status({ openIncidents: [incident(59)] }));
    expect(Notification.shown.map((n) => n.title)).toEqual(['Incident open']);
    desktop.advance(40 * HOUR);
    desktop.engine.emit('app.status', status({ openIncidents: [incident(20)] }));
    desktop.engine.emit('app.status', status({ openIncidents: [incident(19)] }));
    expect(labels()[0]).toMatch(/^Incident: report by \d\d:\d\d \(19 hours left\) — Backup disk lost on a train$/);
    expect(Notification.shown.map((n) => n.title)).toEqual([
      'Incident open',
      'Incident deadline in less than 24 hours',
    ]);
    // Closed: the tray is quiet again.
    desktop.engine.emit('app.status', status({ openIncidents: [] }));
    expect(desktop.shell.trayState().status).toBe('idle');
  });
});
