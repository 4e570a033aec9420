/**
 * The desktop shell over the fake `electron`: the idle state and the metered connection reach the
 * engine as `app.setConditions` (at start, when the screen locks, when the computer wakes), the
 * tray says what a due scheduled backup waits for from the engine's status, and quitting stops the
 * watch. Last, the whole way on a real engine host: a folder that backs up only when the computer
 * is idle waits while it is in use, the tray says so, and locking the screen lets the backup run.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./fake-electron.js'));

import { type DesktopShell, startDesktop } from '../../src/main/app-lifecycle.js';
import type { EngineEventListener, EngineLike } from '../../src/main/engine-like.js';
import type { CommandRunner } from '../../src/main/network-cost.js';
import { repositoryWithSource, TestHost } from '../support/host.js';
import { trayShellOptions } from './desktop-fixture.js';
import { powerMonitor, resetFake, Tray } from './fake-electron.js';

class RecordingEngine implements EngineLike {
  readonly calls: Array<[string, unknown]> = [];
  private readonly listeners = new Set<EngineEventListener>();
  async handle(method: string, params: unknown): Promise<unknown> {
    this.calls.push([method, params]);
    if (method === 'app.status') return { lastSuccessfulBackupAt: null, repositories: [] };
    if (method === 'settings.get') return { launchAtLogin: false, notifications: true };
    return {};
  }
  subscribe(listener: EngineEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  async close(): Promise<void> {}
  emitStatus(payload: unknown): void {
    for (const listener of this.listeners) listener({ name: 'app.status', payload });
  }
  conditionsSent(): unknown[] {
    return this.calls.filter(([method]) => method === 'app.setConditions').map(([, params]) => params);
  }
}

const NMCLI_METERED = `GENERAL.DEVICE:wwan0
GENERAL.STATE:100 (connected)
GENERAL.METERED:yes
`;

describe('desktop shell: machine conditions', () => {
  let home: string;
  let engine: RecordingEngine;
  let shell: DesktopShell;
  let answer: string;
  const commands: string[] = [];

  beforeEach(async () => {
    resetFake();
    commands.length = 0;
    answer = NMCLI_METERED;
    const run: CommandRunner = async (file) => {
      commands.push(file);
      return answer;
    };
    home = await mkdtemp(join(tmpdir(), 'cairn-shell-conditions-'));
    engine = new RecordingEngine();
    shell = startDesktop({ ...trayShellOptions(home), engine, runCommand: run });
  });
  afterEach(async () => {
    shell.quit();
    await rm(home, { recursive: true, force: true });
  });

  it('tells the engine the computer is in use and the connection metered, then that the screen locked', async () => {
    await vi.waitFor(() => expect(engine.conditionsSent()).toHaveLength(1));
    expect(commands).toEqual(['nmcli']);
    expect(engine.conditionsSent()[0]).toEqual({
      idle: { state: 'no', detail: null },
      metered: { state: 'yes', detail: null },
    });
    expect(powerMonitor.idleThresholds[0]).toBe(300);

    powerMonitor.idleState = 'locked';
    powerMonitor.emit('lock-screen');
    expect(engine.conditionsSent().at(-1)).toEqual({
      idle: { state: 'yes', detail: null },
      metered: { state: 'yes', detail: null },
    });
  });

  it('asks the network again when the computer wakes', async () => {
    await vi.waitFor(() => expect(engine.conditionsSent()).toHaveLength(1));
    answer = 'GENERAL.DEVICE:wlp2s0\nGENERAL.STATE:100 (connected)\nGENERAL.METERED:no (guessed)\n';
    powerMonitor.emit('resume');
    await vi.waitFor(() =>
      expect(engine.conditionsSent().at(-1)).toMatchObject({ metered: { state: 'no', detail: null } }),
    );
    expect(commands).toEqual(['nmcli', 'nmcli']);
  });

  it('shows in the tray what a due scheduled backup waits for, from the engine status', () => {
    const tray = Tray.instances[0];
    if (!tray) throw new Error('no tray');
    engine.emitStatus({ lastSuccessfulBackupAt: null, repositories: [], scheduleWaiting: ['unmetered-network'] });
    expect(tray.tooltip).toBe('Cairn — No backup yet · Waiting: metered connection');
    const labels = tray.menu?.template.map((item) => item.label);
    expect(labels).toContain('Waiting: metered connection');
    engine.emitStatus({ lastSuccessfulBackupAt: null, repositories: [], scheduleWaiting: [] });
    expect(tray.tooltip).toBe('Cairn — No backup yet');
  });

  it('stops watching when quitting', async () => {
    await vi.waitFor(() => expect(engine.conditionsSent()).toHaveLength(1));
    expect(powerMonitor.listenerCount('lock-screen')).toBe(1);
    shell.quit();
    expect(powerMonitor.listenerCount('lock-screen')).toBe(0);
  });
});

describe('desktop shell on a real engine host: only when idle', () => {
  let fixture: TestHost;
  let shell: DesktopShell | undefined;

  beforeEach(async () => {
    resetFake();
    fixture = await TestHost.open('shell-idle');
  });
  afterEach(async () => {
    shell?.quit();
    await fixture.close();
  });

  it('holds the folder’s due backup while the computer is in use and runs it once the screen locks', async () => {
    const { host, tmp } = fixture;
    const src = join(tmp, 'src');
    await mkdir(src);
    await writeFile(join(src, 'a.txt'), 'only when idle');
    const { repositoryId, sourceId } = await repositoryWithSource(host, { location: join(tmp, 'repo'), source: src });
    powerMonitor.idleState = 'active';
    shell = startDesktop({
      engine: host,
      appUrl: 'file:///opt/Cairn/out/renderer/index.html',
      preloadPath: '/opt/Cairn/out/preload/index.cjs',
      iconDir: '/opt/Cairn/icons',
      dev: false,
      startHidden: true,
      platform: 'linux',
      homeDir: tmp,
      runCommand: async () => 'GENERAL.DEVICE:eth0\nGENERAL.STATE:100 (connected)\nGENERAL.METERED:no\n',
    });
    await vi.waitFor(async () => expect(await host.call('schedule.conditions', {})).not.toBeNull());
    // Never ran on a schedule: due at once, and held while the computer is in use.
    await host.call('sources.setSchedule', {
      id: sourceId,
      schedule: { kind: 'interval', minutes: 60 },
      onlyWhenIdle: true,
    });
    expect((await host.call('schedule.next', {}))[0]).toMatchObject({ sourceId, waitingFor: 'idle' });
    const tray = Tray.instances[0];
    await vi.waitFor(() => expect(tray?.tooltip).toContain('Waiting: the computer is in use'));
    expect(await host.call('snapshots.list', { repositoryId })).toEqual([]);

    powerMonitor.idleState = 'locked';
    powerMonitor.emit('lock-screen');
    await vi.waitFor(async () => expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(1), {
      timeout: 20_000,
    });
    await vi.waitFor(() => expect(tray?.tooltip).not.toContain('Waiting'));
  });
});
