/**
 * Damage and repair through the contract, with a real EngineHost and repository: `repo.health`
 * names an unreadable recovery point and a missing pack without reading the data; a dry run of
 * each repair changes nothing; the repairs drop what is lost, write repaired copies and are
 * audited; `snapshots.forget` removes the unreadable point and the originals (never a frozen
 * one); afterwards the app's check reads everything clean and the intact point restores.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineHost } from '../../src/app/host/engine-host.js';
import type { Task } from '../../src/app/host/task-manager.js';
import {
  expectSameTree,
  FAST_KDF,
  flipByte,
  makeTempDir,
  removeDir,
  restoredPath,
  seededBytes,
} from '../engine/helpers.js';

const KiB = 1024;
let tmp: string;
let src: string;
let repoDir: string;
let host: EngineHost;
let repositoryId: string;
const ids: string[] = [];
let intactCopy: string;

async function task(method: 'backup.start' | 'repair.start' | 'check.start' | 'restore.start', params: object) {
  const { taskId } = (await host.handle(method, params)) as { taskId: string };
  return host.tasks.settled(taskId) as Promise<Task>;
}

/** Every file of the repository folder with its bytes, to prove a dry run wrote nothing. */
async function repositoryFiles(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string) => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (!p.includes(`${path.sep}locks${path.sep}`)) out.set(p, (await fs.readFile(p)).toString('base64'));
    }
  };
  await walk(repoDir);
  return out;
}

beforeAll(async () => {
  tmp = await makeTempDir('server-repair');
  src = path.join(tmp, 'src');
  repoDir = path.join(tmp, 'repo');
  await fs.mkdir(src);
  host = EngineHost.open({ dataDir: path.join(tmp, 'data'), validateResults: true, kdf: FAST_KDF });
  repositoryId = (
    (await host.handle('repo.create', {
      location: repoDir,
      password: 'pw',
      label: 'Disk',
      region: 'this-device',
    })) as { id: string }
  ).id;
  await host.handle('sources.add', { repositoryId, path: src });
  // Three points: a.bin; a.bin + b.bin; a.bin + b.bin + c.txt.
  await fs.writeFile(path.join(src, 'a.bin'), seededBytes('a', 300 * KiB));
  for (const [i, add] of [[], ['b.bin'], ['c.txt']].entries()) {
    for (const name of add) await fs.writeFile(path.join(src, name), seededBytes(name, 200 * KiB));
    const t = await task('backup.start', { repositoryId });
    expect(t.status, t.error ?? '').toBe('succeeded');
    ids.push((t.result as { snapshotId: string }).snapshotId);
    if (i === 0) {
      intactCopy = path.join(tmp, 'copy-0');
      await fs.cp(src, intactCopy, { recursive: true, preserveTimestamps: true });
    }
  }
});

afterAll(async () => {
  await host?.close();
  await removeDir(tmp);
});

describe('damage and repair through the contract', () => {
  it('repo.health names an unreadable recovery point and a missing pack', async () => {
    expect(await host.handle('repo.health', { repositoryId })).toMatchObject({
      indexFilesDamaged: [],
      snapshotsDamaged: [],
      packsMissing: 0,
    });
    // The third point's file is damaged; the second backup's data pack (b.bin) is lost.
    await flipByte(path.join(repoDir, 'snapshots', ids[2] as string), 20);
    const packs: { file: string; size: number; mtime: number }[] = [];
    for (const shard of await fs.readdir(path.join(repoDir, 'data'))) {
      for (const name of await fs.readdir(path.join(repoDir, 'data', shard))) {
        const file = path.join(repoDir, 'data', shard, name);
        const st = await fs.stat(file);
        packs.push({ file, size: st.size, mtime: st.mtimeMs });
      }
    }
    // Data packs are the large ones; the second of them in time holds b.bin.
    const dataPacks = packs.filter((p) => p.size > 150 * KiB).sort((a, b) => a.mtime - b.mtime);
    expect(dataPacks).toHaveLength(3);
    await fs.rm((dataPacks[1] as { file: string }).file);

    const health = (await host.handle('repo.health', { repositoryId })) as {
      snapshotsDamaged: { id: string; reason: string }[];
      packsMissing: number;
    };
    expect(health.snapshotsDamaged.map((d) => d.id)).toEqual([ids[2]]);
    expect(health.snapshotsDamaged[0]?.reason).toMatch(/does not match its name|cannot be opened|authentic/);
    expect(health.packsMissing).toBe(1);
    // The list shows the readable points.
    const listed = (await host.handle('snapshots.list', { repositoryId })) as { id: string }[];
    expect(listed.map((s) => s.id).sort()).toEqual([ids[0], ids[1]].sort());
  });

  it('dry runs change nothing and say what the repairs would do', async () => {
    const before = await repositoryFiles();
    const index = await task('repair.start', { repositoryId, kind: 'index', dryRun: true });
    expect(index.status, index.error ?? '').toBe('succeeded');
    expect(index.result).toMatchObject({ dryRun: true, changed: true });
    expect((index.result as { packsMissing: string[] }).packsMissing).toHaveLength(1);
    expect((index.result as { blobsDropped: number }).blobsDropped).toBeGreaterThan(0);
    expect(index.messages.join('\n')).toMatch(/preview: .*1 missing pack/);
    expect(await repositoryFiles()).toEqual(before);
  });

  it('the unreadable point is removed by id; the index and the points are repaired, and audited', async () => {
    expect(await host.handle('snapshots.forget', { repositoryId, ids: [(ids[2] as string).slice(0, 8)] })).toEqual({
      removed: [ids[2]],
    });
    const index = await task('repair.start', { repositoryId, kind: 'index', dryRun: false });
    expect(index.status, index.error ?? '').toBe('succeeded');
    const preview = await task('repair.start', { repositoryId, kind: 'snapshots', dryRun: true });
    expect((preview.result as { repaired: { original: string }[] }).repaired.map((p) => p.original)).toEqual([ids[1]]);
    const repaired = await task('repair.start', { repositoryId, kind: 'snapshots', dryRun: false });
    expect(repaired.status, repaired.error ?? '').toBe('succeeded');
    const point = (repaired.result as { repaired: { original: string; repaired: string; removedFiles: number }[] })
      .repaired[0];
    expect(point).toMatchObject({ original: ids[1], removedFiles: 1 });

    // The original goes; a frozen point is never removed this way.
    await host.handle('snapshots.freeze', { repositoryId, snapshotId: ids[0], reason: 'held for a dispute' });
    await expect(
      host.handle('snapshots.forget', { repositoryId, ids: [ids[0] as string, ids[1] as string] }),
    ).rejects.toMatchObject({ code: 'invalid-argument' });
    await host.handle('snapshots.unfreeze', { repositoryId, snapshotId: ids[0] });
    await host.handle('snapshots.forget', { repositoryId, ids: [ids[1]] });

    const audit = (await host.handle('audit.list', { limit: 50 })) as { action: string }[];
    const actions = audit.map((e) => e.action);
    expect(actions).toContain('repair.index');
    expect(actions).toContain('repair.snapshots');
    expect(actions).toContain('snapshots.forgotten');
  });

  it('afterwards the repository reads clean, the intact point restores, and a backup brings b.bin back', async () => {
    expect(await host.handle('repo.health', { repositoryId })).toMatchObject({ snapshotsDamaged: [], packsMissing: 0 });
    const checked = await task('check.start', { repositoryId, readData: true });
    expect(checked.status, checked.error ?? '').toBe('succeeded');
    const target = path.join(tmp, 'restore');
    const restored = await task('restore.start', { repositoryId, snapshotId: ids[0], target });
    expect(restored.status, restored.error ?? '').toBe('succeeded');
    await expectSameTree(intactCopy, restoredPath(target, src));
    const healed = await task('backup.start', { repositoryId });
    expect(healed.status).toBe('succeeded');
    expect((healed.result as { dataAdded: number }).dataAdded).toBeGreaterThanOrEqual(200 * KiB);
  });
});
