import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

// The shared fake plus a Notification fake of this suite's own (records instances, emits 'click').
vi.mock('electron', async () => {
  const fake = await import('./fake-electron.js');
  const { EventEmitter } = await import('node:events');
  class Notification extends EventEmitter {
    static instances: Notification[] = [];
    static supported = true;
    shown = false;
    constructor(readonly options: { title: string; body: string }) {
      super();
      Notification.instances.push(this);
    }
    static isSupported(): boolean {
      return Notification.supported;
    }
    show(): void {
      this.shown = true;
    }
  }
  return { ...fake, Notification };
});

import * as electron from 'electron';
import { type DesktopShell, startDesktop } from '../../src/main/app-lifecycle.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import {
  type AppStatus,
  MAX_ERROR_CHARS,
  type NotificationContent,
  Notifier,
  shorten,
  type Task,
} from '../../src/main/notifier.js';
import { BrowserWindow, resetFake } from './fake-electron.js';

const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const START = new Date('2026-11-26T12:00:00Z').getTime();

function task(overrides: Partial<Task>): Task {
  return {
    id: 't1',
    kind: 'backup',
    status: 'failed',
    repositoryId: 'r1',
    createdAt: '2026-11-26T11:00:00Z',
    startedAt: '2026-11-26T11:00:01Z',
    finishedAt: '2026-11-26T11:30:00Z',
    progress: null,
    messages: [],
    error: 'The storage location is not reachable.',
    result: null,
    ...overrides,
  };
}

type Storage = AppStatus['repositories'][number]['storage'];
const REACHABLE: Storage = { reachable: true, unreachableSince: null, reason: null };

function status(
  repos: Array<{ id: string; label: string; lastBackupAt: string | null; unlocked?: boolean; storage?: Storage }>,
): AppStatus {
  return {
    version: '1.0.0',
    dataDir: '/tmp/cairn',
    repositories: repos.map((repo) => ({
      id: repo.id,
      label: repo.label,
      location: `/backups/${repo.id}`,
      kind: 'local' as const,
      region: 'this-device',
      unlocked: repo.unlocked ?? true,
      lastBackupAt: repo.lastBackupAt,
      lastCheckAt: null,
      storage: repo.storage ?? REACHABLE,
    })),
    runningTasks: 0,
    lastSuccessfulBackupAt: null,
  };
}

function setup(options: { throttleMs?: number; staleAfterDays?: number } = {}) {
  let nowMs = START;
  const shown: NotificationContent[] = [];
  const notifier = new Notifier({ show: (n) => shown.push(n), now: () => new Date(nowMs), ...options });
  return {
    notifier,
    shown,
    advance(ms: number) {
      nowMs += ms;
    },
  };
}

describe('Notifier: failures', () => {
  it('notifies a failed backup with its title and error', () => {
    const { notifier, shown } = setup();
    notifier.onTask(task({}));
    expect(shown).toEqual([{ title: 'Backup failed', body: 'The storage location is not reachable.' }]);
  });

  it('uses a title per kind and names the repository once its label is known', () => {
    const { notifier, shown } = setup();
    notifier.onStatus(status([{ id: 'r1', label: 'Home folder', lastBackupAt: null }]));
    notifier.onTask(task({ kind: 'restore', error: 'Disk full.' }));
    notifier.onTask(task({ kind: 'check', error: 'Pack 3f2a is damaged.' }));
    expect(shown).toEqual([
      { title: 'Restore failed', body: 'Home folder: Disk full.' },
      { title: 'Check found problems', body: 'Home folder: Pack 3f2a is damaged.' },
    ]);
  });

  it('shows the same cause once within the throttle window and again after it', () => {
    const { notifier, shown, advance } = setup({ throttleMs: 6 * HOUR });
    notifier.onTask(task({ id: 'a' }));
    advance(2 * HOUR);
    notifier.onTask(task({ id: 'b' }));
    expect(shown).toHaveLength(1);
    advance(4 * HOUR);
    notifier.onTask(task({ id: 'c' }));
    expect(shown).toHaveLength(2);
  });

  it('treats another repository or another kind as a distinct cause', () => {
    const { notifier, shown } = setup();
    notifier.onTask(task({ repositoryId: 'r1' }));
    notifier.onTask(task({ repositoryId: 'r2' }));
    notifier.onTask(task({ repositoryId: 'r1', kind: 'check', error: 'Index damaged.' }));
    notifier.onTask(task({ repositoryId: 'r1', kind: 'restore' }));
    expect(shown.map((n) => n.title)).toEqual([
      'Backup failed',
      'Backup failed',
      'Check found problems',
      'Restore failed',
    ]);
  });

  it('a success of the same kind and repository clears the cause', () => {
    const { notifier, shown, advance } = setup();
    notifier.onTask(task({ id: 'a' }));
    advance(HOUR);
    notifier.onTask(task({ id: 'b', kind: 'backup', repositoryId: 'r2', status: 'succeeded', error: null }));
    notifier.onTask(task({ id: 'c' }));
    expect(shown).toHaveLength(1);
    notifier.onTask(task({ id: 'd', status: 'succeeded', error: null }));
    notifier.onTask(task({ id: 'e' }));
    expect(shown).toHaveLength(2);
  });

  it('never notifies cancelled, running or queued tasks', () => {
    const { notifier, shown } = setup();
    for (const s of ['queued', 'running', 'cancelling', 'cancelled'] as const) {
      notifier.onTask(task({ status: s, error: s === 'cancelled' ? 'Cancelled by the user.' : null }));
    }
    expect(shown).toEqual([]);
  });

  it('shortens long errors and uses a plain text when there is none', () => {
    const { notifier, shown } = setup();
    notifier.onTask(task({ error: `Could not write:\n${'x'.repeat(500)}` }));
    notifier.onTask(task({ repositoryId: 'r2', error: null }));
    const body = shown[0]?.body ?? '';
    expect(body.length).toBe(MAX_ERROR_CHARS);
    expect(body.startsWith('Could not write: xxx')).toBe(true);
    expect(body.endsWith('…')).toBe(true);
    expect(shown[1]?.body).toBe('It stopped with an error.');
    expect(shorten('  short\n text ')).toBe('short text');
  });
});

describe('Notifier: stale backups', () => {
  const iso = (ms: number) => new Date(ms).toISOString();

  it('warns after N days without a successful backup, not before, and throttles per repository', () => {
    const { notifier, shown, advance } = setup({ staleAfterDays: 3, throttleMs: 6 * HOUR });
    const snapshot = status([
      { id: 'r1', label: 'Home folder', lastBackupAt: iso(START - 2 * DAY) },
      { id: 'r2', label: 'Photos', lastBackupAt: iso(START - 2.5 * DAY), unlocked: false },
    ]);
    notifier.onStatus(snapshot);
    expect(shown).toEqual([]);
    advance(DAY + HOUR); // r1 is 3 days + 1 h old, r2 3.5 days + 1 h
    notifier.onStatus(snapshot);
    expect(shown).toEqual([
      { title: 'No backup for 3 days', body: 'Home folder has not been backed up successfully for 3 days.' },
      { title: 'No backup for 3 days', body: 'Photos has not been backed up successfully for 3 days.' },
    ]);
    advance(HOUR);
    notifier.onStatus(snapshot);
    expect(shown).toHaveLength(2);
    advance(6 * HOUR);
    notifier.onStatus(snapshot);
    expect(shown).toHaveLength(4);
  });

  it('never warns about a repository that has no backup yet', () => {
    const { notifier, shown, advance } = setup();
    advance(30 * DAY);
    notifier.onStatus(status([{ id: 'r1', label: 'Home folder', lastBackupAt: null }]));
    expect(shown).toEqual([]);
  });

  it('a successful backup task ends the warning even before the next status arrives', () => {
    const { notifier, shown, advance } = setup({ staleAfterDays: 3 });
    const old = status([{ id: 'r1', label: 'Home folder', lastBackupAt: iso(START - 4 * DAY) }]);
    notifier.onStatus(old);
    expect(shown).toHaveLength(1);
    notifier.onTask(task({ status: 'succeeded', error: null, finishedAt: iso(START) }));
    advance(7 * HOUR);
    notifier.onStatus(old);
    expect(shown).toHaveLength(1);
  });

  it('ignores a status without repositories (partial payloads)', () => {
    const { notifier, shown } = setup();
    notifier.onStatus({ lastSuccessfulBackupAt: null } as unknown as AppStatus);
    expect(shown).toEqual([]);
  });
});

interface FakeNotificationLike {
  options: { title: string; body: string };
  shown: boolean;
  emit(event: string): boolean;
}
const FakeNotification = electron.Notification as unknown as {
  instances: FakeNotificationLike[];
  supported: boolean;
};

class FakeEngine implements EngineLike {
  listeners = new Set<EngineEventListener>();
  async handle(method: string): Promise<unknown> {
    if (method === 'app.status') return status([]);
    if (method === 'repo.list') return [];
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

describe('notifications in the desktop shell', () => {
  let home: string;
  let engine: FakeEngine;
  let shell: DesktopShell;

  beforeEach(async () => {
    resetFake();
    FakeNotification.instances = [];
    FakeNotification.supported = true;
    home = await mkdtemp(join(tmpdir(), 'cairn-notify-'));
    engine = new FakeEngine();
    shell = startDesktop({
      engine,
      appUrl: 'file:///opt/Cairn/out/renderer/index.html',
      preloadPath: '/opt/Cairn/out/preload/index.cjs',
      iconDir: '/opt/Cairn/icons',
      dev: false,
      startHidden: true,
      platform: 'linux',
      homeDir: home,
      now: () => new Date(START),
    });
    await flush();
  });
  afterEach(async () => {
    shell.quit();
    await flush();
    await rm(home, { recursive: true, force: true });
  });

  it('shows a failed task and a stale repository as Electron notifications; a click opens the window', () => {
    engine.emit('task.updated', task({ error: 'Disk full.' }));
    engine.emit(
      'app.status',
      status([{ id: 'r2', label: 'Photos', lastBackupAt: new Date(START - 5 * DAY).toISOString() }]),
    );
    expect(FakeNotification.instances.map((n) => [n.options, n.shown])).toEqual([
      [{ title: 'Backup failed', body: 'Disk full.' }, true],
      [{ title: 'No backup for 5 days', body: 'Photos has not been backed up successfully for 5 days.' }, true],
    ]);
    const win = BrowserWindow.instances[0];
    if (!win) throw new Error('no window');
    expect(win.visible).toBe(false);
    FakeNotification.instances[0]?.emit('click');
    expect(win.visible).toBe(true);
  });

  it('shows nothing where notifications are not supported', () => {
    FakeNotification.supported = false;
    engine.emit('task.updated', task({}));
    expect(FakeNotification.instances).toEqual([]);
  });
});
