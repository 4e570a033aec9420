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
import type { EngineHost } from '../../src/app/host/engine-host.js';
import { expectSameTree, flipByte, restoredPath, seededBytes } from '../engine/helpers.js';
import { repositoryWithSource, runTask, TestHost } from '../support/host.js';

const KiB = 1024;
let fixture: TestHost;
let tmp: string;
let src: string;
let repoDir: string;
let host: EngineHost;
let repositoryId: string;
const ids: string[] = [];
let intactCopy: string;

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
  fixture = await TestHost.open('server-repair');
  ({ tmp, host } = fixture);
  src = path.join(tmp, 'src');
  repoDir = path.join(tmp, 'repo');
  await fs.mkdir(src);
  ({ repositoryId } = await repositoryWithSource(host, { location: repoDir, source: src }));
  // Three points: a.bin; a.bin + b.bin; a.bin + b.bin + c.txt.
  await fs.writeFile(path.join(src, 'a.bin'), seededBytes('a', 300 * KiB));
  for (const [i, add] of [[], ['b.bin'], ['c.txt']].entries()) {
    for (const name of add) await fs.writeFile(path.join(src, name), seededBytes(name, 200 * KiB));
    const backup = await runTask(host, 'backup.start', { repositoryId });
    expect(backup.status, backup.error ?? '').toBe('succeeded');
    ids.push((backup.result as { snapshotId: string }).snapshotId);
    if (i === 0) {
      intactCopy = path.join(tmp, 'copy-0');
      await fs.cp(src, intactCopy, { recursive: true, preserveTimestamps: true });
    }
  }
});

afterAll(() => fixture?.close());

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
    const index = await runTask(host, 'repair.start', { repositoryId, kind: 'index', dryRun: true });
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
    const index = await runTask(host, 'repair.start', { repositoryId, kind: 'index', dryRun: false });
    expect(index.status, index.error ?? '').toBe('succeeded');
    const preview = await runTask(host, 'repair.start', { repositoryId, kind: 'snapshots', dryRun: true });
    expect((preview.result as { repaired: { original: string }[] }).repaired.map((p) => p.original)).toEqual([ids[1]]);
    const repaired = await runTask(host, 'repair.start', { repositoryId, kind: 'snapshots', dryRun: false });
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
    const checked = await runTask(host, 'check.start', { repositoryId, readData: true });
    expect(checked.status, checked.error ?? '').toBe('succeeded');
    const target = path.join(tmp, 'restore');
    const restored = await runTask(host, 'restore.start', { repositoryId, snapshotId: ids[0] as string, target });
    expect(restored.status, restored.error ?? '').toBe('succeeded');
    await expectSameTree(intactCopy, restoredPath(target, src));
    const healed = await runTask(host, 'backup.start', { repositoryId });
    expect(healed.status).toBe('succeeded');
    expect((healed.result as { dataAdded: number }).dataAdded).toBeGreaterThanOrEqual(200 * KiB);
  });
});
