/**
 * Retention through the contract with a real EngineHost, catalog and repository: a preview
 * changes nothing, applying the stored policy removes recovery points and prunes their data
 * (the repository then checks clean and restores byte-identical), the newest point is never
 * removed, invalid policies are refused, and a scheduled backup applies the policy after it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { backUp, runTask, TestHost, repositoryWithSource as withSource } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let host: EngineHost;
let src: string;

beforeEach(async () => {
  fixture = await TestHost.open('retention');
  ({ tmp, host } = fixture);
  src = path.join(tmp, 'src');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'stable.txt'), 'unchanged between backups');
});
afterEach(() => fixture?.close());

function repositoryWithSource(): Promise<{ repositoryId: string; sourceId: number }> {
  return withSource(host, { location: path.join(tmp, 'repo'), source: src });
}

/** A backup with `changing.bin` holding content unique to round `i` (so each point has its own data). */
async function backupRound(repositoryId: string, i: number): Promise<void> {
  await fs.writeFile(path.join(src, 'changing.bin'), Buffer.alloc(64 * 1024, i + 1));
  await fs.writeFile(path.join(src, 'round.txt'), `round ${i}`);
  await backUp(host, repositoryId);
}

async function fiveBackups(): Promise<string> {
  const { repositoryId } = await repositoryWithSource();
  for (let i = 0; i < 5; i++) await backupRound(repositoryId, i);
  return repositoryId;
}

async function treeBytes(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of (await fs.readdir(dir)).sort()) {
    out.set(name, (await fs.readFile(path.join(dir, name))).toString('base64'));
  }
  return out;
}

describe('retention', () => {
  it('previews without changing anything, then applies the stored policy and prunes', async () => {
    const repositoryId = await fiveBackups();
    const before = await host.call('snapshots.list', { repositoryId });
    expect(before).toHaveLength(5);

    const preview = await host.call('retention.preview', { repositoryId, policy: { last: 2 } });
    expect(preview.keep.map((k) => k.id)).toEqual(before.slice(0, 2).map((s) => s.id));
    expect(preview.keep[0]?.reasons).toContain('last snapshot');
    expect(preview.remove.map((r) => r.id).sort()).toEqual(
      before
        .slice(2)
        .map((s) => s.id)
        .sort(),
    );
    expect(preview.reclaimBytes).toBeGreaterThan(0);
    expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(5);
    expect(await host.call('retention.get', { repositoryId })).toBeNull();

    await host.call('retention.set', { repositoryId, policy: { last: 2 } });
    expect(await host.call('retention.get', { repositoryId })).toEqual({ policy: { last: 2 }, prune: true });

    const task = await runTask(host, 'retention.apply', { repositoryId });
    expect(task.status, task.error ?? '').toBe('succeeded');
    expect(task.kind).toBe('forget');
    expect([...((task.result?.removed as string[] | undefined) ?? [])].sort()).toEqual(
      preview.remove.map((r) => r.id).sort(),
    );
    expect(task.result?.bytesFreed as number).toBeGreaterThan(0);

    const after = await host.call('snapshots.list', { repositoryId });
    expect(after.map((s) => s.id)).toEqual(before.slice(0, 2).map((s) => s.id));

    const check = await runTask(host, 'check.start', { repositoryId, readData: true });
    expect(check.status, check.error ?? '').toBe('succeeded');

    // The session index was reloaded: a restore of the latest point works and is byte-identical.
    const target = path.join(tmp, 'restored');
    const restoreTask = await runTask(host, 'restore.start', {
      repositoryId,
      snapshotId: after[0]?.id ?? '',
      target,
    });
    expect(restoreTask.status, restoreTask.error ?? '').toBe('succeeded');
    const restoredRoot = path.join(target, path.relative('/', src));
    expect(await treeBytes(restoredRoot)).toEqual(await treeBytes(src));

    // A backup after the prune stores the data the prune removed again (no stale dedupe).
    await backupRound(repositoryId, 0);
    const recheck = await runTask(host, 'check.start', { repositoryId, readData: true });
    expect(recheck.status, recheck.error ?? '').toBe('succeeded');
  });

  it('never removes the newest recovery point, even when no rule keeps it', async () => {
    const repositoryId = await fiveBackups();
    const before = await host.call('snapshots.list', { repositoryId });
    const policy = { tags: ['no-point-has-this-tag'] };
    const preview = await host.call('retention.preview', { repositoryId, policy });
    expect(preview.keep.map((k) => k.id)).toEqual([before[0]?.id]);
    expect(preview.remove).toHaveLength(4);

    await host.call('retention.set', { repositoryId, policy, prune: false });
    const task = await runTask(host, 'retention.apply', { repositoryId });
    expect(task.status, task.error ?? '').toBe('succeeded');
    expect(task.result?.pruned).toBe(false);
    expect((await host.call('snapshots.list', { repositoryId })).map((s) => s.id)).toEqual([before[0]?.id]);
  });

  it('refuses invalid policies and applying without a policy', async () => {
    const { repositoryId } = await repositoryWithSource();
    await expect(host.handle('retention.preview', { repositoryId, policy: { last: -1 } })).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(host.handle('retention.set', { repositoryId, policy: {} })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(host.handle('retention.set', { repositoryId, policy: { within: 'soon' } })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(host.handle('retention.preview', { repositoryId, policy: { last: 0 } })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(host.handle('retention.apply', { repositoryId })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    await expect(host.handle('retention.get', { repositoryId: 'nope' })).rejects.toMatchObject({ code: 'not-found' });
    expect(await host.call('retention.get', { repositoryId })).toBeNull();

    await host.call('retention.set', { repositoryId, policy: { daily: 7 } });
    await host.call('retention.set', { repositoryId, policy: null });
    expect(await host.call('retention.get', { repositoryId })).toBeNull();
  });

  it('applies the policy after a scheduled backup', async () => {
    const { repositoryId, sourceId } = await repositoryWithSource();
    await backupRound(repositoryId, 0);
    await backupRound(repositoryId, 1);
    await fs.writeFile(path.join(src, 'round.txt'), 'scheduled');
    await host.call('retention.set', { repositoryId, policy: { last: 1 } });
    await host.call('sources.setSchedule', { id: sourceId, schedule: { kind: 'interval', minutes: 60 } });

    await vi.waitFor(
      async () => {
        const tasks = await host.call('tasks.list', {});
        expect(tasks.filter((t) => t.kind === 'forget' && t.status === 'succeeded')).toHaveLength(1);
      },
      { timeout: 30_000, interval: 100 },
    );
    const tasks = await host.call('tasks.list', {});
    expect(tasks.filter((t) => t.kind === 'backup' && t.status === 'succeeded')).toHaveLength(3);
    const points = await host.call('snapshots.list', { repositoryId });
    expect(points).toHaveLength(1);
    const forget = tasks.find((t) => t.kind === 'forget');
    expect(forget?.result?.removed).toHaveLength(2);
    // The one point left is the scheduled backup, the newest.
    const newestBackup = tasks.find((t) => t.kind === 'backup');
    expect(points[0]?.id).toBe(newestBackup?.result?.snapshotId);
  });
});
