/**
 * Erasure and restriction through the contract with a real EngineHost, catalog and repository:
 * previewing and erasing a path (an 'erase' task with a receipt and a tombstone, naming the path
 * by keyed hash only; the path, still on disk, excluded from the source; the receipt saved with
 * the path named, for the erased path only, outside the data folder), the tombstone
 * applied again when an older copy of the repository is unlocked, freezing (browse and restore
 * refused, retention keeps the point, listed as frozen), and erasing everything (typed
 * confirmation, receipt outside, repository gone, catalog emptied, the app still answering).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { repositoryWithSource, succeeded, TestHost } from '../support/host.js';

let fixture: TestHost;
let tmp: string;
let dataDir: string;
let host: EngineHost;
let src: string;
let repoDir: string;

beforeEach(async () => {
  fixture = await TestHost.open('erasure-host');
  ({ tmp, dataDir, host } = fixture);
  src = path.join(tmp, 'src');
  repoDir = path.join(tmp, 'repo');
  await fs.mkdir(src);
  await fs.writeFile(path.join(src, 'secret.txt'), 'the secret');
  await fs.writeFile(path.join(src, 'keep.txt'), 'keep me');
});
afterEach(() => fixture?.close());

async function twoBackups(): Promise<string> {
  const { repositoryId } = await repositoryWithSource(host, { location: repoDir, region: 'EU', source: src });
  for (let i = 0; i < 2; i++) {
    await fs.writeFile(path.join(src, 'round.txt'), `round ${i}`);
    await succeeded(host, (await host.call('backup.start', { repositoryId })).taskId);
  }
  return repositoryId;
}

async function names(repositoryId: string, snapshotId: string): Promise<string[]> {
  return (await host.call('snapshots.browse', { repositoryId, snapshotId, path: src })).map((e) => e.name);
}

describe('erasure through the contract', () => {
  it('previews, erases a path as an erase task, and lists the tombstone and receipt', async () => {
    const repositoryId = await twoBackups();
    const secret = path.join(src, 'secret.txt');
    const preview = await host.call('privacy.erasePreview', { repositoryId, path: secret });
    expect(preview.recoveryPoints).toHaveLength(2);
    expect(preview.files).toBe(1);

    const { taskId } = await host.call('privacy.erasePath', { repositoryId, path: secret });
    const task = await succeeded(host, taskId);
    expect(task.kind).toBe('erase');
    expect(task.result?.recoveryPointsRewritten).toBe(2);
    const receiptFile = task.result?.receiptFile as string;
    const kept = await fs.readFile(receiptFile, 'utf8');
    expect(JSON.parse(kept).scope.pathHash).toBe(task.result?.pathHash);
    expect(kept).not.toContain('secret.txt');
    expect(JSON.stringify(task)).not.toContain('secret.txt');
    // Still in the source folder: now excluded from its backups.
    expect(task.result?.onDisk).toMatchObject({ stillOnDisk: true, excludedFrom: [{ path: src }] });
    const [source] = await host.call('sources.list', { repositoryId });
    expect(source?.excludes).toEqual([secret]);

    // The one copy naming the path: saved where the user says, for the path the request erased only.
    const requestId = task.result?.requestId as string;
    const file = path.join(tmp, 'my-receipt.json');
    await expect(
      host.call('privacy.saveReceipt', { repositoryId, request: requestId, path: path.join(src, 'keep.txt'), file }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(
      host.call('privacy.saveReceipt', {
        repositoryId,
        request: requestId,
        path: secret,
        file: path.join(dataDir, 'r.json'),
      }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(await host.call('privacy.saveReceipt', { repositoryId, request: requestId, path: secret, file })).toEqual({
      file,
    });
    expect(JSON.parse(await fs.readFile(file, 'utf8')).scope).toMatchObject({
      path: secret,
      pathHash: task.result?.pathHash,
    });

    for (const s of await host.call('snapshots.list', { repositoryId })) {
      expect(await names(repositoryId, s.id)).toEqual(['keep.txt', 'round.txt']);
    }
    const tombstones = await host.call('privacy.tombstones', { repositoryId });
    expect(tombstones).toEqual([
      expect.objectContaining({ repositoryId, pathHash: task.result?.pathHash, request: task.result?.requestId }),
    ]);
    expect((await host.call('privacy.receipts', {})).map((r) => r.request)).toEqual([task.result?.requestId]);
    await expect(host.call('privacy.erasePath', { repositoryId, path: 'relative.txt' })).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    const again = await host.tasks.settled(
      (await host.call('privacy.erasePath', { repositoryId, path: secret })).taskId,
    );
    expect(again.status).toBe('failed');
    expect(again.error).toMatch(/no recovery point contains/);
  });

  it('applies the tombstone again when an older copy of the repository is unlocked', async () => {
    const repositoryId = await twoBackups();
    const secret = path.join(src, 'secret.txt');
    await fs.cp(repoDir, path.join(tmp, 'older'), { recursive: true });
    await succeeded(host, (await host.call('privacy.erasePath', { repositoryId, path: secret })).taskId);
    await host.call('repo.lock', { repositoryId });
    await fs.rm(repoDir, { recursive: true });
    await fs.rename(path.join(tmp, 'older'), repoDir);

    await host.call('repo.unlock', { repositoryId, password: 'pw' });
    const erase = (await host.call('tasks.list', { limit: 10 })).filter((t) => t.kind === 'erase');
    expect(erase).toHaveLength(2);
    expect(erase[0]?.status).toBe('succeeded');
    expect(erase[0]?.messages.join('\n')).toMatch(/a path was erased .* erased now/);
    expect(JSON.stringify(erase)).not.toContain('secret.txt');
    for (const s of await host.call('snapshots.list', { repositoryId })) {
      expect(await names(repositoryId, s.id)).not.toContain('secret.txt');
    }
    // Unlocking again finds nothing to do and records no task.
    await host.call('repo.lock', { repositoryId });
    await host.call('repo.unlock', { repositoryId, password: 'pw' });
    expect((await host.call('tasks.list', { limit: 10 })).filter((t) => t.kind === 'erase')).toHaveLength(2);
  });

  it('a frozen point cannot be browsed or restored, retention keeps it, and it is listed as frozen', async () => {
    const repositoryId = await twoBackups();
    const [newest, oldest] = (await host.call('snapshots.list', { repositoryId })) as unknown as [
      { id: string },
      { id: string },
    ];
    const frozen = await host.call('snapshots.freeze', {
      repositoryId,
      snapshotId: oldest.id.slice(0, 8),
      reason: 'objection',
    });
    expect(frozen).toMatchObject({ snapshotId: oldest.id, reason: 'objection' });
    const listed = await host.call('snapshots.list', { repositoryId });
    expect(listed.map((s) => s.frozen)).toEqual([false, true]);
    await expect(names(repositoryId, oldest.id)).rejects.toMatchObject({
      message: expect.stringMatching(/is frozen.*Art\. 18/),
    });
    await expect(
      host.call('restore.start', { repositoryId, snapshotId: oldest.id, target: path.join(tmp, 'out') }),
    ).rejects.toMatchObject({ code: 'restricted', message: expect.stringMatching(/cannot be .*restored/) });
    expect(await names(repositoryId, newest.id)).toContain('secret.txt');

    const preview = await host.call('retention.preview', { repositoryId, policy: { last: 1 } });
    expect(preview.remove).toEqual([]);
    await host.call('retention.set', { repositoryId, policy: { last: 1 }, prune: true });
    const applied = await succeeded(host, (await host.call('retention.apply', { repositoryId })).taskId);
    expect(applied.result?.removed).toEqual([]);
    expect(await host.call('snapshots.list', { repositoryId })).toHaveLength(2);

    await host.call('snapshots.unfreeze', { repositoryId, snapshotId: oldest.id });
    expect(await names(repositoryId, oldest.id)).toContain('secret.txt');
    await expect(host.call('snapshots.unfreeze', { repositoryId, snapshotId: oldest.id })).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it('erases everything: typed confirmation, receipt outside, repository gone, catalog emptied', async () => {
    const repositoryId = await twoBackups();
    const receipt = path.join(tmp, 'receipt.json');
    await expect(host.call('privacy.eraseAll', { confirm: 'yes', receipt } as never)).rejects.toMatchObject({
      code: 'invalid-request',
    });
    await expect(
      host.call('privacy.eraseAll', { confirm: 'erase everything', receipt: path.join(dataDir, 'r.json') }),
    ).rejects.toMatchObject({ code: 'invalid-argument', message: expect.stringMatching(/erased too/) });
    await expect(
      host.call('privacy.eraseAll', { confirm: 'erase everything', receipt: path.join(repoDir, 'r.json') }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
    expect(await host.call('repo.list', {})).toHaveLength(1);

    const r = await host.call('privacy.eraseAll', { confirm: 'erase everything', receipt });
    expect(r).toMatchObject({ completed: true, keychainRepositoryIds: [repositoryId] });
    expect(r.repositories[0]).toMatchObject({ location: repoDir, keySlotsDestroyed: 1, folderRemoved: true });
    expect(JSON.parse(await fs.readFile(receipt, 'utf8')).request).toBe(r.request);
    await expect(fs.stat(repoDir)).rejects.toThrow();
    expect((await fs.readdir(dataDir)).filter((n) => !n.startsWith('catalog.sqlite')).sort()).toEqual(['owner.lock']);
    expect(await host.call('repo.list', {})).toEqual([]);
    expect(await host.call('sources.list', {})).toEqual([]);
    expect(await host.call('tasks.list', {})).toEqual([]);
    expect((await host.call('app.status', {})).repositories).toEqual([]);
  });
});
