/**
 * What the Dashboard reads, through the contract with a real EngineHost, catalog and repository:
 * a paused source's due run waits for the end of the pause (schedule.next says so) and runs once
 * resumed; bad pauses are refused with a reason; an expired pause reads as none; repo.usage adds
 * up the objects on disk, unlocked or locked; recovery points made elsewhere count as the last
 * backup once the repository is connected or unlocked.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { TestHost, repositoryWithSource as withSource } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;

beforeEach(async () => {
  fixture = await TestHost.open('pause');
  ({ tmp, host } = fixture);
});
afterEach(() => fixture?.close());

async function repositoryWithSource(): Promise<{ repositoryId: string; sourceId: number; repoPath: string }> {
  const src = path.join(tmp, 'src');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'a.txt'), 'paused or not');
  await fs.writeFile(path.join(src, 'b.bin'), Buffer.alloc(200_000, 3));
  const repoPath = path.join(tmp, 'repo');
  return { ...(await withSource(host, { location: repoPath, region: 'EU', source: src })), repoPath };
}

/** Sum of the sizes of every file under `dir`, skipping `skip` folders. */
async function bytesOnDisk(dir: string, skip: string[]): Promise<number> {
  let total = 0;
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.includes(entry.name)) total += await bytesOnDisk(full, []);
    } else total += (await fs.stat(full)).size;
  }
  return total;
}

describe('sources.pause', () => {
  it('holds a due scheduled backup until the pause ends; resuming runs it', async () => {
    const { repositoryId, sourceId } = await repositoryWithSource();
    const until = new Date(Date.now() + 2 * 3600_000).toISOString();
    const paused = await host.call('sources.pause', { until, repositoryId });
    expect(paused).toEqual([expect.objectContaining({ id: sourceId, pausedUntil: until })]);

    // A source that never ran is due at once; paused, it waits for the end of the pause.
    const scheduled = await host.call('sources.setSchedule', {
      id: sourceId,
      schedule: { kind: 'interval', minutes: 60 },
    });
    expect(scheduled.pausedUntil).toBe(until);
    const next = await host.call('schedule.next', {});
    expect(next).toEqual([{ sourceId, at: until, reason: 'catch-up', waitingFor: null }]);
    expect((await host.call('sources.list', { repositoryId }))[0]?.pausedUntil).toBe(until);
    expect(await host.call('tasks.list', {})).toEqual([]);

    const resumed = await host.call('sources.pause', { until: null });
    expect(resumed[0]?.pausedUntil).toBeNull();
    await vi.waitFor(async () => expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(1), {
      timeout: 20_000,
      interval: 100,
    });
    // "Back up now" is never held back by a pause.
    await host.call('sources.pause', { until, sourceIds: [sourceId] });
    await vi.waitFor(async () => {
      const tasks = await host.call('tasks.list', {});
      expect(tasks.filter((t) => t.status === 'succeeded')).toHaveLength(1);
    });
    const { taskId } = await host.call('backup.start', { repositoryId });
    expect((await host.tasks.settled(taskId)).status).toBe('succeeded');
    expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(2);
  });

  it('refuses pauses in the past, beyond a year, of unknown sources, or with nothing to pause', async () => {
    await expect(
      host.call('sources.pause', { until: new Date(Date.now() + 3600_000).toISOString() }),
    ).rejects.toMatchObject({
      code: 'invalid-argument',
      message: expect.stringContaining('no folders'),
    });
    const { sourceId, repositoryId } = await repositoryWithSource();
    await expect(
      host.call('sources.pause', { until: new Date(Date.now() - 60_000).toISOString() }),
    ).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringContaining('in the future') });
    await expect(
      host.call('sources.pause', { until: new Date(Date.now() + 400 * 86_400_000).toISOString() }),
    ).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringContaining('at most 366 days') });
    await expect(host.call('sources.pause', { until: 'tomorrow' })).rejects.toMatchObject({ code: 'invalid-request' });
    await expect(host.call('sources.pause', { until: null, sourceIds: [sourceId + 1] })).rejects.toMatchObject({
      code: 'not-found',
    });
    await expect(host.call('sources.pause', { until: null, repositoryId: 'nope' })).rejects.toMatchObject({
      code: 'not-found',
    });
    // Nothing was changed by the refusals.
    expect((await host.call('sources.list', { repositoryId }))[0]?.pausedUntil).toBeNull();
  });

  it('shows a pause that has ended as none', async () => {
    const { sourceId, repositoryId } = await repositoryWithSource();
    host.catalog.updateSource(sourceId, { pausedUntil: new Date(Date.now() - 1000).toISOString() });
    expect((await host.call('sources.list', { repositoryId }))[0]?.pausedUntil).toBeNull();
  });
});

describe('repo.usage', () => {
  it('adds up the stored objects, unlocked and locked', async () => {
    const { repositoryId, repoPath } = await repositoryWithSource();
    const empty = await host.call('repo.usage', { repositoryId });
    expect(empty).toMatchObject({ packs: 0, packBytes: 0, snapshots: 0 });
    expect(empty.storedBytes).toBeGreaterThan(0); // config and key slot

    const { taskId } = await host.call('backup.start', { repositoryId });
    expect((await host.tasks.settled(taskId)).status).toBe('succeeded');
    const used = await host.call('repo.usage', { repositoryId });
    expect(used.snapshots).toBe(1);
    expect(used.packs).toBeGreaterThan(0);
    expect(used.storedBytes).toBe(await bytesOnDisk(repoPath, ['locks']));
    expect(used.packBytes).toBe(await bytesOnDisk(path.join(repoPath, 'data'), []));

    await host.call('repo.lock', { repositoryId });
    expect(await host.call('repo.usage', { repositoryId })).toEqual(used);
    await expect(host.call('repo.usage', { repositoryId: 'nope' })).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('last backup of a connected repository', () => {
  it('is the newest recovery point, even one made outside this app', async () => {
    const { repositoryId, repoPath } = await repositoryWithSource();
    const { taskId } = await host.call('backup.start', { repositoryId });
    expect((await host.tasks.settled(taskId)).status).toBe('succeeded');
    const [point] = await host.call('snapshots.list', { repositoryId });

    // Another app data folder knows nothing of that backup until it connects the repository.
    host = await fixture.reopen({ dataFolder: 'other' });
    const connected = await host.call('repo.connect', {
      location: repoPath,
      password: 'pw',
      label: 'Disk',
      region: 'EU',
    });
    expect(connected.lastBackupAt).toBe(new Date(point!.time).toISOString());
    expect((await host.call('app.status', {})).lastSuccessfulBackupAt).toBe(connected.lastBackupAt);

    // Unlocking reads it again (a newer point made elsewhere meanwhile would count).
    await host.call('repo.lock', { repositoryId });
    host.catalog.updateRepository(repositoryId, { lastBackupAt: null });
    const unlocked = await host.call('repo.unlock', { repositoryId, password: 'pw' });
    expect(unlocked.lastBackupAt).toBe(connected.lastBackupAt);
  });
});
