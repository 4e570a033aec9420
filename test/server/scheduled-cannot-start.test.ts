/**
 * Every scheduled run leaves a trace: a scheduled backup that cannot start — the repository is
 * locked, the source folder is gone, consent to the backup purpose was withdrawn — is a failed
 * 'backup' task with the reason, and a failure for the scheduler (its next run is a retry after
 * the backoff). `app.status` names the locked repositories whose scheduled backups need the
 * password, and the open incidents (with their 72-hour deadline) for the tray.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { runScheduledBackup } from '../../src/app/host/handlers/backup.js';
import type { Result } from '../../src/contract/methods.js';
import { TestHost, repositoryWithSource as withSource } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;

beforeEach(async () => {
  fixture = await TestHost.open('cannot-start');
  ({ tmp, host } = fixture);
});
afterEach(() => fixture?.close());

async function repositoryWithSource(): Promise<{ repositoryId: string; sourceId: number; src: string }> {
  const src = path.join(tmp, 'src');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'a.txt'), 'scheduled');
  return { ...(await withSource(host, { location: path.join(tmp, 'repo'), source: src })), src };
}

type Task = Result<'tasks.list'>[number];

/** Schedules the source (never run: due at once) and waits for its failed backup task. */
async function failedScheduledRun(sourceId: number): Promise<Task> {
  await host.call('sources.setSchedule', { id: sourceId, schedule: { kind: 'interval', minutes: 60 } });
  let failed: Task | undefined;
  await vi.waitFor(
    async () => {
      failed = (await host.call('tasks.list', {})).find((t) => t.kind === 'backup' && t.status === 'failed');
      expect(failed).toBeDefined();
    },
    { timeout: 20_000, interval: 100 },
  );
  return failed as Task;
}

/** The scheduler counted a failure: the next run is a retry after its first backoff (1 minute). */
async function expectRetry(sourceId: number): Promise<void> {
  await vi.waitFor(async () => {
    const [next] = await host.call('schedule.next', {});
    expect(next).toMatchObject({ sourceId, reason: 'retry' });
    const inSeconds = (Date.parse(next?.at ?? '') - Date.now()) / 1000;
    expect(inSeconds).toBeGreaterThan(45);
    expect(inSeconds).toBeLessThanOrEqual(60);
  });
}

describe('a scheduled backup that cannot start', () => {
  it('repository locked: a failed task "needs your password", retried with backoff; app.status names it', async () => {
    const { repositoryId, sourceId } = await repositoryWithSource();
    await host.call('repo.lock', { repositoryId });
    expect((await host.call('app.status', {})).needsPassword).toEqual([]); // no schedule yet
    const task = await failedScheduledRun(sourceId);
    expect(task).toMatchObject({
      repositoryId,
      error: 'needs your password: the repository is locked',
    });
    await expectRetry(sourceId);
    expect((await host.call('app.status', {})).needsPassword).toEqual([repositoryId]);
    await host.call('repo.unlock', { repositoryId, password: 'pw' });
    expect((await host.call('app.status', {})).needsPassword).toEqual([]);
  });

  it('source folder missing: a failed task naming the folder, retried with backoff', async () => {
    const { repositoryId, sourceId, src } = await repositoryWithSource();
    await fs.rm(src, { recursive: true });
    const task = await failedScheduledRun(sourceId);
    expect(task).toMatchObject({ repositoryId, error: `the folder ${src} no longer exists` });
    await expectRetry(sourceId);
    expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(0);
  });

  it('consent withdrawn: a run that fires anyway is a failed task saying backups are paused', async () => {
    const { repositoryId, sourceId } = await repositoryWithSource();
    await host.call('consent.set', { purpose: 'backup', given: false });
    // Withdrawal unschedules the sources; a run already due fires as the scheduler would.
    const deps = {
      catalog: host.catalog,
      tasks: host.tasks,
      privacy: host.privacy,
      repositories: (host as unknown as { repositories: unknown }).repositories,
      events: (host as unknown as { events: unknown }).events,
    };
    const reason = 'backups are paused because consent to the backup purpose was withdrawn';
    await expect(runScheduledBackup(deps as never, sourceId)).rejects.toThrow(reason);
    const tasks = await host.call('tasks.list', {});
    expect(tasks.find((t) => t.kind === 'backup')).toMatchObject({ status: 'failed', repositoryId, error: reason });
    expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(0);
  });

  it('a source that can start still backs up (the checks refuse nothing else)', async () => {
    const { repositoryId, sourceId } = await repositoryWithSource();
    await host.call('sources.setSchedule', { id: sourceId, schedule: { kind: 'interval', minutes: 60 } });
    await vi.waitFor(
      async () => {
        const done = (await host.call('tasks.list', {})).find((t) => t.kind === 'backup' && t.status !== 'running');
        expect(done?.status).toBe('succeeded');
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(1);
  });
});

describe('open incidents in app.status', () => {
  it('lists each open incident with its deadline; closed ones leave the list', async () => {
    expect((await host.call('app.status', {})).openIncidents).toEqual([]);
    const awareAt = new Date(Date.now() - 50 * 3_600_000).toISOString();
    const incident = await host.call('incidents.open', { title: 'Backup disk lost on a train', awareAt });
    const [listed] = (await host.call('app.status', {})).openIncidents ?? [];
    expect(listed).toMatchObject({
      id: incident.id,
      title: 'Backup disk lost on a train',
      notifyBy: incident.notifyBy,
    });
    expect(listed?.hoursLeft).toBeGreaterThan(21);
    expect(listed?.hoursLeft).toBeLessThanOrEqual(22);
  });
});
