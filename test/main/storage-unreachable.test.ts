/**
 * Storage that stops answering, in the desktop shell: the tray turns to a warning with a line
 * "Storage unreachable since HH:MM — <repository>" (menu and tooltip), and one notification tells
 * of it once the outage has lasted a minute — not on every retry, not again for the backups that
 * fail because of it, and not again within the throttle window when it comes and goes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { type AppStatus, type NotificationContent, Notifier, type Task } from '../../src/main/notifier.js';
import { formatClock, statusLines, trayIconFor, trayMenuTemplate, trayTooltip } from '../../src/main/tray.js';
import { startTestDesktop, type TestDesktop } from './desktop-fixture.js';
import { Notification } from './fake-electron.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse('2026-12-07T14:02:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const hhmm = (ms: number) => formatClock(new Date(ms));

type Storage = AppStatus['repositories'][number]['storage'];
const REACHABLE: Storage = { reachable: true, unreachableSince: null, reason: null };
const down = (since: number, reason: string | null = 'connection refused'): Storage => ({
  reachable: false,
  unreachableSince: at(since),
  reason,
});

function status(repos: Array<{ id: string; label: string; storage: Storage }>): AppStatus {
  return {
    version: '1.0.0',
    dataDir: '/tmp/cairn',
    repositories: repos.map((repo) => ({
      id: repo.id,
      label: repo.label,
      location: `sftp://backup@nas.local/srv/${repo.id}`,
      kind: 'sftp' as const,
      region: 'EU' as const,
      unlocked: true,
      lastBackupAt: null,
      lastCheckAt: null,
      storage: repo.storage,
    })),
    runningTasks: 0,
    lastSuccessfulBackupAt: null,
  };
}

function failedBackup(error: string): Task {
  return {
    id: 't9',
    kind: 'backup',
    status: 'failed',
    repositoryId: 'nas',
    createdAt: at(START),
    startedAt: at(START),
    finishedAt: at(START + 5 * MINUTE),
    progress: null,
    messages: [],
    error,
    result: null,
  };
}

describe('tray lines for unreachable storage', () => {
  const now = new Date(START);
  const actions = { open() {}, backUpNow() {}, pause() {}, resume() {}, quit() {} };
  const labels = (state: Parameters<typeof trayMenuTemplate>[0]) =>
    trayMenuTemplate(state, actions).map((item) => (item.type === 'separator' ? '---' : String(item.label)));

  it('a warning: one line per repository, the first as the status line; the tooltip says the same', () => {
    const state = {
      status: 'warning' as const,
      lastBackupAt: null,
      now,
      unreachable: [
        { label: 'NAS', since: at(START), reason: 'connection refused' },
        { label: 'Bucket', since: at(START + 3 * MINUTE), reason: null },
      ],
    };
    expect(labels(state).slice(0, 3)).toEqual([
      `Storage unreachable since ${hhmm(START)} — NAS`,
      `Storage unreachable since ${hhmm(START + 3 * MINUTE)} — Bucket`,
      '---',
    ]);
    const menu = trayMenuTemplate(state, actions);
    expect(menu[0]?.enabled).toBe(false);
    expect(menu[1]?.enabled).toBe(false);
    expect(trayTooltip(state)).toBe(
      `Cairn — Storage unreachable since ${hhmm(START)} — NAS · Storage unreachable since ${hhmm(START + 3 * MINUTE)} — Bucket`,
    );
    expect(trayIconFor('warning')).toBe('tray-error.png');
  });

  it('below another status line (a backup running), and nothing without unreachable storage', () => {
    const unreachable = [{ label: 'NAS', since: at(START), reason: null }];
    expect(statusLines({ status: 'running', lastBackupAt: null, now, unreachable })).toEqual([
      'Backing up…',
      `Storage unreachable since ${hhmm(START)} — NAS`,
    ]);
    expect(statusLines({ status: 'idle', lastBackupAt: null, now, unreachable: [] })).toEqual(['No backup yet']);
    expect(statusLines({ status: 'warning', lastBackupAt: null, now })).toEqual(['Storage unreachable']);
  });
});

describe('Notifier: unreachable storage', () => {
  function setup(options: { throttleMs?: number } = {}) {
    let nowMs = START;
    const shown: NotificationContent[] = [];
    const notifier = new Notifier({ show: (n) => shown.push(n), now: () => new Date(nowMs), ...options });
    return { notifier, shown, advance: (ms: number) => (nowMs += ms) };
  }

  it('notifies once an outage lasted a minute, once per outage, and not for the backups it fails', () => {
    const { notifier, shown, advance } = setup();
    const outage = status([{ id: 'nas', label: 'NAS', storage: down(START) }]);
    notifier.onStatus(outage);
    advance(30_000);
    notifier.onStatus(outage);
    expect(shown).toEqual([]);
    advance(30_000);
    notifier.onStatus(outage);
    expect(shown).toEqual([
      {
        title: 'Storage unreachable',
        body: `NAS: storage unreachable since ${hhmm(START)} — connection refused. Cairn keeps retrying.`,
      },
    ]);
    // The periodic re-judging, more statuses and the failed backups add nothing.
    for (let i = 0; i < 10; i++) {
      advance(MINUTE);
      notifier.onStatus(outage);
    }
    notifier.onTask(failedBackup(`storage unreachable since ${hhmm(START)}: could not reach sftp server …`));
    expect(shown).toHaveLength(1);
    // Another failure still notifies as before.
    notifier.onTask(failedBackup('no space left on the device'));
    expect(shown.map((n) => n.title)).toEqual(['Storage unreachable', 'Backup failed']);
  });

  it('a blip the retries ride out within the minute notifies nobody', () => {
    const { notifier, shown, advance } = setup();
    notifier.onStatus(status([{ id: 'nas', label: 'NAS', storage: down(START) }]));
    advance(20_000);
    notifier.onStatus(status([{ id: 'nas', label: 'NAS', storage: REACHABLE }]));
    advance(5 * MINUTE);
    notifier.onStatus(status([{ id: 'nas', label: 'NAS', storage: REACHABLE }]));
    expect(shown).toEqual([]);
  });

  it('an outage that comes back within the throttle window is not told again; one after it is', () => {
    const { notifier, shown, advance } = setup({ throttleMs: 6 * HOUR });
    notifier.onStatus(status([{ id: 'nas', label: 'NAS', storage: down(START - 2 * MINUTE) }]));
    expect(shown).toHaveLength(1);
    advance(HOUR);
    notifier.onStatus(status([{ id: 'nas', label: 'NAS', storage: REACHABLE }]));
    const again = START + HOUR + MINUTE;
    advance(3 * MINUTE);
    notifier.onStatus(status([{ id: 'nas', label: 'NAS', storage: down(again, null) }]));
    expect(shown).toHaveLength(1);
    advance(6 * HOUR);
    notifier.onStatus(status([{ id: 'nas', label: 'NAS', storage: REACHABLE }]));
    notifier.onStatus(status([{ id: 'nas', label: 'NAS', storage: down(START + 7 * HOUR, null) }]));
    advance(2 * MINUTE);
    notifier.onStatus(status([{ id: 'nas', label: 'NAS', storage: down(START + 7 * HOUR, null) }]));
    expect(shown).toHaveLength(2);
    expect(shown[1]?.body).toBe(`NAS: storage unreachable since ${hhmm(START + 7 * HOUR)}. Cairn keeps retrying.`);
  });
});

describe('the desktop shell with unreachable storage', () => {
  let desktop: TestDesktop;

  beforeEach(async () => {
    desktop = await startTestDesktop({ name: 'storage', start: START, status: () => status([]) });
  });
  afterEach(() => desktop.stop());

  const firstLine = () => desktop.menuLabels()[0];

  it('turns the tray to a warning while the storage is unreachable, and notifies once', () => {
    const outage = status([
      { id: 'home', label: 'Home disk', storage: REACHABLE },
      { id: 'nas', label: 'NAS', storage: down(START) },
    ]);
    desktop.engine.emit('app.status', outage);
    const line = `Storage unreachable since ${hhmm(START)} — NAS`;
    expect(desktop.shell.trayState()).toMatchObject({ status: 'warning' });
    expect(firstLine()).toBe(line);
    expect(desktop.tray().tooltip).toBe(`Cairn — ${line}`);
    expect(desktop.tray().image.path).toBe('/opt/Cairn/icons/tray-error.png');
    expect(Notification.shown).toEqual([]);

    // A scheduled backup runs and fails because of it: the storage line stays under "Backing up…".
    desktop.engine.emit('task.updated', { ...failedBackup(''), status: 'running', error: null, finishedAt: null });
    expect(desktop.menuLabels().slice(0, 2)).toEqual(['Backing up…', line]);
    desktop.advance(5 * MINUTE);
    desktop.engine.emit('task.updated', failedBackup(`storage unreachable since ${hhmm(START)}: connection refused`));
    desktop.engine.emit('app.status', outage);
    expect(firstLine()).toBe(line);
    expect(Notification.shown).toEqual([
      {
        title: 'Storage unreachable',
        body: `NAS: storage unreachable since ${hhmm(START)} — connection refused. Cairn keeps retrying.`,
      },
    ]);
    desktop.engine.emit('app.status', outage);
    expect(Notification.shown).toHaveLength(1);

    // Back: the failed backup shows until the next one succeeds.
    desktop.engine.emit('app.status', status([{ id: 'nas', label: 'NAS', storage: REACHABLE }]));
    expect(desktop.shell.trayState().status).toBe('error');
    expect(firstLine()).toBe('Last backup failed');
    desktop.engine.emit('task.updated', { ...failedBackup(''), id: 't10', status: 'succeeded', error: null });
    expect(desktop.shell.trayState().status).toBe('idle');
  });
});
