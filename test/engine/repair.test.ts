/**
 * Repair on real repository folders: a damaged or deleted index file, a deleted data pack, a
 * damaged blob (with readData), a damaged pack header, a damaged snapshot file and a missing tree
 * pack. Each time the repository still opens, `repairIndex` / `repairSnapshots` fix it, `check` is
 * clean afterwards except for what is honestly lost, every intact recovery point restores byte for
 * byte, a dry run changes no byte, and the next backup stores the lost data again (self-healing).
 * Also: a repair interrupted after its new index (or its copies) leaves a repository that checks
 * clean, and running it again finishes the job.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { walk } from '../../src/engine/browse/walk.js';
import { type CheckResult, check } from '../../src/engine/check/checker.js';
import type { SnapshotRecord } from '../../src/engine/format/snapshot.js';
import { repairIndex } from '../../src/engine/repair/repair-index.js';
import { REPAIRED_TAG, repairSnapshots } from '../../src/engine/repair/repair-snapshots.js';
import { withLock } from '../../src/engine/repo/lock.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import {
  compressibleText,
  FAST_KDF,
  flipByte,
  MiB,
  makeTempDir,
  PASSWORD,
  removeDir,
  restoredPath,
  scanTree,
  seededBytes,
} from './helpers.js';

interface Point {
  id: string;
  /** What the source folder held when this recovery point was made: relative path → content hash. */
  files: Map<string, string>;
}

interface Fixture {
  dir: string;
  src: string;
  repoDir: string;
  points: Point[];
  /** Packs (data and tree) each backup added. */
  packsOf: string[][];
}

let fx: Fixture;

/** Relative path → sha256 for files, 'dir' for folders. */
async function contents(root: string): Promise<Map<string, string>> {
  return new Map((await scanTree(root)).map((e) => [e.rel, e.type === 'file' ? (e.sha256 as string) : e.type]));
}

/** Every file of the repository folder with its bytes' hash: a dry run must not change one. */
async function fingerprint(repoDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const rel of (await fs.readdir(repoDir, { recursive: true })).map(String).sort()) {
    const file = path.join(repoDir, rel);
    if (!(await fs.stat(file)).isFile()) continue;
    out.push(
      `${rel} ${createHash('sha256')
        .update(await fs.readFile(file))
        .digest('hex')}`,
    );
  }
  return out;
}

async function open(): Promise<Repository> {
  return Repository.open(new LocalBackend(fx.repoDir), PASSWORD);
}

async function withRepo<T>(fn: (repo: Repository) => Promise<T>): Promise<T> {
  const repo = await open();
  try {
    return await fn(repo);
  } finally {
    await repo.close();
  }
}

const checkRepo = (readData = false): Promise<CheckResult> =>
  withRepo((repo) => check(repo, readData ? { readData: { kind: 'all' } } : {}));

async function snapshotsNow(): Promise<SnapshotRecord[]> {
  return withRepo(async (repo) => (await repo.listSnapshotsChecked()).snapshots);
}

async function forget(ids: string[]): Promise<void> {
  await withRepo((repo) =>
    withLock(repo, 'forget', true, async () => {
      for (const id of ids) await repo.removeSnapshot(id);
    }),
  );
}

/** Restores a recovery point and returns what landed where the source folder was. */
async function restored(id: string, label: string): Promise<{ files: Map<string, string>; errors: string[] }> {
  const target = path.join(fx.dir, `restore-${label}`);
  return withRepo(async (repo) => {
    const r = await restore(repo, await repo.loadSnapshot(id), { target });
    return { files: await contents(restoredPath(target, fx.src)), errors: r.errors.map((e) => e.path) };
  });
}

async function backupNow(time: Date): Promise<SnapshotRecord> {
  return withRepo(async (repo) => (await backup(repo, { paths: [fx.src], time })).snapshot);
}

/** Index locations of every blob, and the packs holding tree blobs. */
async function locations(): Promise<
  Map<string, { pack: string; type: string; offset: number; length: number; rawLength: number }>
> {
  return withRepo(async (repo) => {
    await repo.loadIndex();
    return new Map([...repo.index.entries()].map(([id, loc]) => [id, { ...loc }]));
  });
}

const packFile = (id: string) => path.join(fx.repoDir, 'data', id.slice(0, 2), id);

/** The source files (relative to src) whose content uses one of `blobs`, in recovery point `id`. */
async function filesUsing(id: string, blobs: Set<string>): Promise<string[]> {
  return withRepo(async (repo) => {
    const snapshot = await repo.loadSnapshot(id);
    const out: string[] = [];
    for await (const e of walk(repo, snapshot.tree, fx.src)) {
      if (e.node.content?.some((b) => blobs.has(b))) out.push(path.relative(fx.src, e.path));
    }
    return out.sort();
  });
}

function without(files: Map<string, string>, removed: string[]): Map<string, string> {
  const out = new Map(files);
  for (const r of removed) out.delete(r);
  return out;
}

beforeEach(async () => {
  const dir = await makeTempDir('repair');
  const src = path.join(dir, 'src');
  await fs.mkdir(path.join(src, 'a'), { recursive: true });
  await fs.mkdir(path.join(src, 'b/deep'), { recursive: true });
  await fs.mkdir(path.join(src, 'c'), { recursive: true });
  await fs.writeFile(path.join(src, 'a/big.bin'), seededBytes('repair big', 3 * MiB));
  await fs.writeFile(path.join(src, 'a/small.txt'), 'small\n');
  await fs.writeFile(path.join(src, 'b/text.txt'), compressibleText(200 * 1024));
  await fs.writeFile(path.join(src, 'b/deep/note.txt'), 'a note\n');
  await fs.writeFile(path.join(src, 'c/x.bin'), seededBytes('repair x 1', 1.5 * MiB));
  const repoDir = path.join(dir, 'repo');
  // Small packs, so that one lost pack is a part of the data, not all of it.
  const repo = await Repository.init(new LocalBackend(repoDir), PASSWORD, { kdf: FAST_KDF, packSize: MiB });
  fx = { dir, src, repoDir, points: [], packsOf: [] };
  try {
    for (const [i, day] of [1, 2].entries()) {
      if (i === 1) await fs.writeFile(path.join(src, 'c/x.bin'), seededBytes('repair x 2', 1.5 * MiB));
      const packsBefore = new Set(await repo.listIds('data'));
      const { snapshot } = await backup(repo, { paths: [src], time: new Date(Date.UTC(2026, 0, day, 12)) });
      fx.points.push({ id: snapshot.id, files: await contents(src) });
      fx.packsOf.push((await repo.listIds('data')).filter((id) => !packsBefore.has(id)));
    }
  } finally {
    await repo.close();
  }
});

afterEach(async () => {
  await removeDir(fx?.dir);
});

describe('repair on an intact repository', () => {
  it('finds nothing to do and writes nothing', async () => {
    const before = await fingerprint(fx.repoDir);
    const index = await withRepo((repo) => repairIndex(repo));
    expect(index.changed).toBe(false);
    expect(index.blobsDropped).toBe(0);
    expect(index.packsScanned).toBe(fx.packsOf.flat().length);
    const snaps = await withRepo((repo) => repairSnapshots(repo));
    expect(snaps.repaired).toEqual([]);
    expect(snaps.snapshots).toBe(2);
    expect(await fingerprint(fx.repoDir)).toEqual(before);
    const result = await checkRepo();
    expect(result.errors).toEqual([]);
    expect(result.advice).toEqual([]);
    expect(result.affected).toEqual([]);
  });
});

describe.each([
  ['a damaged index file', (file: string) => flipByte(file, 100)],
  ['a deleted index file', (file: string) => fs.rm(file)],
])('%s', (_label, damage) => {
  it('leaves a repository that opens; repair index finds every blob again in the packs and nothing is lost', async () => {
    const indexFiles = await fs.readdir(path.join(fx.repoDir, 'index'));
    expect(indexFiles.length).toBeGreaterThanOrEqual(2);
    const allBlobs = (await locations()).size;
    // The first backup's index file lists the packs of the first backup.
    const first = await withRepo(async (repo) => {
      for (const id of await repo.listIds('index')) {
        const index = await repo.loadIndexFile(id);
        if (index.packs.some((p) => fx.packsOf[0]?.includes(p.id))) return id;
      }
      throw new Error('no index file of the first backup');
    });
    await damage(path.join(fx.repoDir, 'index', first));

    const damaged = await checkRepo();
    expect(damaged.ok).toBe(false);
    // Repair the index, then check again: the packs no index lists may hold what looks lost now.
    expect(damaged.advice.map((a) => a.command)).toEqual(['cairn repair index', 'cairn check']);
    expect(damaged.advice[0]?.reason).toMatch(/indexes \d+ pack\(s\) no index lists/);
    // Both points use the folders the lost index file located.
    expect(damaged.affected.map((a) => a.id).sort()).toEqual(fx.points.map((p) => p.id).sort());

    const before = await fingerprint(fx.repoDir);
    const dry = await withRepo((repo) => repairIndex(repo, { dryRun: true }));
    expect(dry.changed).toBe(true);
    expect(await fingerprint(fx.repoDir)).toEqual(before);

    const r = await withRepo((repo) => repairIndex(repo));
    expect(r.changed).toBe(true);
    expect(r.blobsDropped).toBe(0);
    expect(r.blobsAfter).toBe(allBlobs);
    expect(r.packsNewlyIndexed.sort()).toEqual([...(fx.packsOf[0] ?? [])].sort());
    expect(await fs.readdir(path.join(fx.repoDir, 'index'))).toEqual([r.newIndexFile]);

    const after = await checkRepo(true);
    expect(after.errors).toEqual([]);
    expect(after.notes).toEqual([]);
    for (const [i, p] of fx.points.entries()) {
      const back = await restored(p.id, `point-${i}`);
      expect(back.errors).toEqual([]);
      expect(back.files).toEqual(p.files);
    }
    // Running it again: nothing to do.
    expect((await withRepo((repo) => repairIndex(repo))).changed).toBe(false);
  });
});

describe('a deleted data pack', () => {
  it('is dropped by repair index, the recovery point that used it is repaired, and the next backup stores the data again', async () => {
    const [p1, p2] = fx.points as [Point, Point];
    // A data pack of the second backup: it holds only the new content of c/x.bin.
    const where = await locations();
    const lostPack = fx.packsOf[1]?.find((id) => [...where.values()].some((l) => l.pack === id && l.type === 'data'));
    if (!lostPack) throw new Error('the second backup wrote no data pack');
    const lostBlobs = new Set([...where].filter(([, l]) => l.pack === lostPack).map(([id]) => id));
    const lostBytes = [...lostBlobs].reduce((sum, id) => sum + (where.get(id)?.rawLength ?? 0), 0);
    expect(await filesUsing(p2.id, lostBlobs)).toEqual(['c/x.bin']);
    await fs.rm(packFile(lostPack));

    // Check names the point it affects, what heals, and what repairs it.
    const damaged = await checkRepo();
    const object = `pack ${lostPack.slice(0, 12)}`;
    expect(damaged.errors.map((e) => e.object)).toEqual([object]);
    expect(damaged.affectedBy[object]).toEqual([p2.id]);
    expect(damaged.affected).toEqual([
      expect.objectContaining({ id: p2.id, lostFiles: 1, lostFolders: 0, rootLost: false }),
    ]);
    expect(damaged.affected[0]?.examples).toEqual([path.join(fx.src, 'c/x.bin')]);
    // A backup stores the data of a missing pack again by itself: no repair needed first.
    expect(damaged.healable).toMatchObject({
      files: 1,
      bytes: 1.5 * MiB,
      blobs: lostBlobs.size,
      needsRepairIndex: false,
    });
    expect(damaged.advice.map((a) => a.command)).toEqual(['cairn repair index', 'cairn repair snapshots']);

    // Dry runs change nothing.
    const before = await fingerprint(fx.repoDir);
    const dryIndex = await withRepo((repo) => repairIndex(repo, { dryRun: true }));
    expect(dryIndex).toMatchObject({ changed: true, packsMissing: [lostPack], blobsDropped: lostBlobs.size });
    const drySnaps = await withRepo((repo) => repairSnapshots(repo, { dryRun: true }));
    expect(drySnaps.repaired.map((p) => [p.original, p.repaired, p.removedFiles])).toEqual([[p2.id, undefined, 1]]);
    expect(await fingerprint(fx.repoDir)).toEqual(before);

    const r = await withRepo((repo) => repairIndex(repo));
    expect(r).toMatchObject({ changed: true, packsMissing: [lostPack], blobsDropped: lostBlobs.size });
    expect(r.droppedDataBlobs).toBe(lostBlobs.size);
    expect(r.droppedDataBytes).toBe(lostBytes);
    expect(new Set(r.droppedBlobIds)).toEqual(lostBlobs);

    const afterIndex = await checkRepo();
    expect(afterIndex.errors.length).toBeGreaterThan(0);
    expect(afterIndex.errors.every((e) => e.object.startsWith('blob '))).toBe(true);
    expect(afterIndex.advice.map((a) => a.command)).toEqual(['cairn repair snapshots']);

    const s = await withRepo((repo) => repairSnapshots(repo));
    expect(s.repaired).toHaveLength(1);
    const fixed = s.repaired[0];
    expect(fixed).toMatchObject({ original: p2.id, removedFiles: 1, emptiedFolders: 0 });
    expect(fixed?.examples).toEqual([path.join(fx.src, 'c/x.bin')]);
    const copy = await withRepo((repo) => repo.loadSnapshot(fixed?.repaired as string));
    const original = await withRepo((repo) => repo.loadSnapshot(p2.id));
    expect(copy.tags).toEqual([REPAIRED_TAG]);
    expect(copy.repaired).toMatchObject({ original: p2.id, removedFiles: 1, emptiedFolders: 0 });
    expect(copy).toMatchObject({ time: original.time, hostname: original.hostname, paths: original.paths });
    expect(copy.summary.totalFiles).toBe(original.summary.totalFiles - 1);
    expect(copy.summary.totalBytes).toBe(original.summary.totalBytes - 1.5 * MiB);
    // Only the trees on the way to c/x.bin were written again: a/ and b/ keep their ids.
    const subtrees = await withRepo(async (repo) => {
      const ids = async (root: string) => {
        const out = new Map<string, string>();
        for await (const e of walk(repo, root, fx.src)) if (e.node.subtree) out.set(e.path, e.node.subtree);
        return out;
      };
      return { copy: await ids(copy.tree), original: await ids(original.tree) };
    });
    expect(subtrees.copy.get(path.join(fx.src, 'a'))).toBe(subtrees.original.get(path.join(fx.src, 'a')));
    expect(subtrees.copy.get(path.join(fx.src, 'b'))).toBe(subtrees.original.get(path.join(fx.src, 'b')));
    expect(subtrees.copy.get(path.join(fx.src, 'c'))).not.toBe(subtrees.original.get(path.join(fx.src, 'c')));

    // Idempotent: the copy references no missing data, and the original is known to be repaired.
    const again = await withRepo((repo) => repairSnapshots(repo));
    expect(again.repaired).toEqual([]);
    expect(again.alreadyRepaired).toEqual([{ original: p2.id, repaired: fixed?.repaired }]);

    // The first point is whole; the copy restores everything but the lost file.
    expect(await restored(p1.id, 'p1')).toEqual({ files: p1.files, errors: [] });
    expect(await restored(fixed?.repaired as string, 'copy')).toEqual({
      files: without(p2.files, ['c/x.bin']),
      errors: [],
    });

    // What remains is the original itself, until it is forgotten; then the repository is clean.
    const withOriginal = await checkRepo();
    expect(withOriginal.affected.map((a) => a.id)).toEqual([p2.id]);
    expect(withOriginal.advice).toEqual([
      { command: `cairn forget ${p2.id.slice(0, 8)}`, reason: expect.stringMatching(/already repaired/) },
    ]);
    await forget([p2.id]);
    const clean = await checkRepo(true);
    expect(clean.errors).toEqual([]);

    // Self-healing: the next backup stores c/x.bin again.
    const next = await backupNow(new Date(Date.UTC(2026, 0, 3, 12)));
    expect(next.summary.dataAdded).toBe(lostBytes);
    expect(await restored(next.id, 'next')).toEqual({ files: p2.files, errors: [] });
    expect((await checkRepo(true)).errors).toEqual([]);
  });
});

describe('a deleted data pack whose data a later backup stored again', () => {
  it('loses nothing: check names no recovery point, repair index only drops the missing entries', async () => {
    const where = await locations();
    const lostPack = fx.packsOf[1]?.find((id) => [...where.values()].some((l) => l.pack === id && l.type === 'data'));
    if (!lostPack) throw new Error('the second backup wrote no data pack');
    await fs.rm(packFile(lostPack));
    // The source still holds c/x.bin as the second point saw it: this backup stores its data again.
    const third = await backupNow(new Date(Date.UTC(2026, 0, 3, 12)));
    expect(third.summary.dataAdded).toBeGreaterThan(0);

    const damaged = await checkRepo();
    expect(damaged.errors.map((e) => e.object)).toEqual([`pack ${lostPack.slice(0, 12)}`]);
    expect(damaged.affected).toEqual([]);
    expect(damaged.advice.map((a) => a.command)).toEqual(['cairn repair index']);
    expect((await withRepo((repo) => repairSnapshots(repo))).repaired).toEqual([]);

    const r = await withRepo((repo) => repairIndex(repo));
    expect(r).toMatchObject({ changed: true, packsMissing: [lostPack], blobsDropped: 0 });
    expect((await checkRepo(true)).errors).toEqual([]);
    for (const [i, p] of fx.points.entries()) {
      expect(await restored(p.id, `p${i}`)).toEqual({ files: p.files, errors: [] });
    }
  });
});

describe('a damaged blob inside a pack', () => {
  it('is found by repair index --read-data: the damaged blob is dropped, the intact ones are copied, the pack is removed', async () => {
    const where = await locations();
    // The largest blob of a file the newest point holds (so the source still has it: healable),
    // in a data pack with other blobs (so that intact blobs have to be copied out of it).
    const counts = new Map<string, number>();
    for (const l of where.values()) if (l.type === 'data') counts.set(l.pack, (counts.get(l.pack) ?? 0) + 1);
    const newest = await withRepo(async (repo) => {
      const blobs = new Set<string>();
      for await (const e of walk(repo, (await repo.loadSnapshot(fx.points[1]?.id as string)).tree, fx.src))
        for (const b of e.node.content ?? []) blobs.add(b);
      return blobs;
    });
    const chosen = [...where]
      .filter(([id, l]) => newest.has(id) && (counts.get(l.pack) ?? 0) > 1)
      .sort((a, b) => b[1].length - a[1].length)[0];
    if (!chosen) throw new Error('the fixture has no data pack with several blobs of the newest point');
    const [victim, loc] = chosen;
    const pack = loc.pack;
    const users = await Promise.all(fx.points.map((p) => filesUsing(p.id, new Set([victim]))));
    expect(users.flat().length).toBeGreaterThan(0);
    await flipByte(packFile(pack), loc.offset + Math.floor(loc.length / 2));
    const damagedBytes = await fs.readFile(packFile(pack));

    // Structure alone does not see it; reading the data does, and names the points it affects.
    expect((await checkRepo()).errors).toEqual([]);
    const damaged = await checkRepo(true);
    const object = `pack ${pack.slice(0, 12)}`;
    const affectedIds = fx.points.filter((_, i) => (users[i] ?? []).length > 0).map((p) => p.id);
    expect(damaged.affectedBy[object]?.sort()).toEqual([...affectedIds].sort());
    expect(damaged.advice[0]?.command).toBe('cairn repair index --read-data');
    expect(damaged.healable.needsRepairIndex).toBe(true);

    // Without reading data, repair index sees intact headers: nothing to do.
    expect((await withRepo((repo) => repairIndex(repo))).changed).toBe(false);

    const before = await fingerprint(fx.repoDir);
    const dry = await withRepo((repo) => repairIndex(repo, { readData: true, dryRun: true }));
    expect(dry.changed).toBe(true);
    expect(dry.packsDamaged).toEqual([
      expect.objectContaining({ id: pack, blobsDamaged: 1, blobsCopied: (counts.get(pack) ?? 0) - 1 }),
    ]);
    expect(await fingerprint(fx.repoDir)).toEqual(before);

    const r = await withRepo((repo) => repairIndex(repo, { readData: true }));
    expect(r.droppedBlobIds).toEqual([victim]);
    expect(r.packsWritten.length).toBeGreaterThan(0);
    expect(r.packsRemoved).toEqual([pack]);
    await expect(fs.access(packFile(pack))).rejects.toThrow();

    // The damaged pack put back (a crash before its removal, a copy of the folder): a repair
    // without --read-data reads a pack no index lists whole, so its damaged blob is not indexed again.
    await fs.writeFile(packFile(pack), damagedBytes);
    const putBack = await withRepo((repo) => repairIndex(repo));
    expect(putBack.packsNewlyIndexed).not.toContain(pack);
    expect(putBack.packsDamaged.map((p) => [p.id, p.blobsDamaged, p.blobsCopied])).toEqual([[pack, 1, 0]]);
    expect(putBack.packsRemoved).toEqual([pack]);
    expect((await locations()).has(victim)).toBe(false);

    const s = await withRepo((repo) => repairSnapshots(repo));
    expect(s.repaired.map((p) => p.original).sort()).toEqual([...affectedIds].sort());
    for (const p of s.repaired) expect(p.removedFiles).toBe(1);
    await forget(affectedIds);
    expect((await checkRepo(true)).errors).toEqual([]);
    // Every file but the damaged one still restores from the copies.
    for (const [i, p] of fx.points.entries()) {
      const copy = s.repaired.find((x) => x.original === p.id);
      const id = copy?.repaired ?? p.id;
      expect(await restored(id, `after-${i}`)).toEqual({ files: without(p.files, users[i] ?? []), errors: [] });
    }

    // Self-healing: the next backup stores the damaged file's data again.
    const next = await backupNow(new Date(Date.UTC(2026, 0, 3, 12)));
    expect(await restored(next.id, 'next')).toEqual({ files: fx.points[1]?.files, errors: [] });
    expect((await checkRepo(true)).errors).toEqual([]);
  });
});

describe('a pack whose header is damaged', () => {
  it('keeps the entries the old index gave it; with --read-data its intact blobs are copied and the pack is left for prune', async () => {
    const where = await locations();
    const pack = fx.packsOf[0]?.find((id) => [...where.values()].some((l) => l.pack === id && l.type === 'data'));
    if (!pack) throw new Error('no data pack');
    const blobs = [...where].filter(([, l]) => l.pack === pack).map(([id]) => id);
    const size = (await fs.stat(packFile(pack))).size;
    await flipByte(packFile(pack), size - 10); // inside the sealed header

    const plain = await withRepo((repo) => repairIndex(repo));
    expect(plain.changed).toBe(false);
    expect(plain.packsUnreadable).toEqual([expect.objectContaining({ id: pack, blobsKept: blobs.length })]);
    expect(plain.packsUnreadable[0]?.reason).toMatch(/header failed authentication/);

    const r = await withRepo((repo) => repairIndex(repo, { readData: true }));
    expect(r.packsDamaged).toEqual([expect.objectContaining({ id: pack, blobsDamaged: 0, blobsCopied: blobs.length })]);
    expect(r.blobsDropped).toBe(0);
    expect(r.packsRemoved).toEqual([]); // its data cannot be told apart without the header: left stored
    await fs.access(packFile(pack));

    // Nothing is lost: everything restores; the pack no index lists is a note, and prune removes it.
    for (const [i, p] of fx.points.entries())
      expect(await restored(p.id, `p${i}`)).toEqual({ files: p.files, errors: [] });
    const afterRepair = await checkRepo();
    expect(afterRepair.errors).toEqual([]);
    expect(afterRepair.notes.join('\n')).toMatch(/1 pack\(s\) are not indexed/);
    const readAll = await checkRepo(true);
    expect(new Set(readAll.errors.map((e) => e.object))).toEqual(new Set([`pack ${pack.slice(0, 12)}`]));
    expect(readAll.advice.map((a) => a.command)).toEqual(['cairn prune']);
    // A second repair does not index it again.
    expect((await withRepo((repo) => repairIndex(repo))).changed).toBe(false);
  });
});

describe('a damaged snapshot file', () => {
  it('leaves the others usable; repair snapshots reports it with the advice to forget it', async () => {
    const [p1, p2] = fx.points as [Point, Point];
    const file = path.join(fx.repoDir, 'snapshots', p1.id);
    await flipByte(file, Math.floor((await fs.stat(file)).size / 2));

    const damaged = await checkRepo();
    expect(damaged.unreadableSnapshots).toEqual([p1.id]);
    expect(damaged.advice.map((a) => a.command)).toEqual([`cairn forget ${p1.id.slice(0, 8)}`]);

    const before = await fingerprint(fx.repoDir);
    const s = await withRepo((repo) => repairSnapshots(repo));
    expect(s.repaired).toEqual([]);
    expect(s.unreadable.map((u) => u.id)).toEqual([p1.id]);
    expect(s.unreadable[0]?.reason).toMatch(/does not match its name/);
    expect(await fingerprint(fx.repoDir)).toEqual(before);
    expect((await withRepo((repo) => repairIndex(repo))).changed).toBe(false);

    expect(await restored(p2.id, 'p2')).toEqual({ files: p2.files, errors: [] });
    await forget([p1.id]);
    expect((await checkRepo(true)).errors).toEqual([]);
  });
});

describe('a missing tree pack', () => {
  it('empties the folders it listed in a repaired copy; a point whose root is lost can only be forgotten', async () => {
    const [p1, p2] = fx.points as [Point, Point];
    const where = await locations();
    const rootOfFirst = (await snapshotsNow()).find((s) => s.id === p1.id)?.tree as string;
    const treePack = where.get(rootOfFirst)?.pack as string;
    expect(fx.packsOf[0]).toContain(treePack);
    await fs.rm(packFile(treePack));

    const damaged = await checkRepo();
    expect(damaged.affected).toEqual([
      expect.objectContaining({ id: p1.id, rootLost: true }),
      expect.objectContaining({ id: p2.id, rootLost: false, lostFiles: 0, lostFolders: 2 }),
    ]);
    expect(damaged.affected[1]?.examples).toEqual([path.join(fx.src, 'a/'), path.join(fx.src, 'b/')]);
    expect(damaged.healable.folders).toBe(2);
    expect(damaged.advice.map((a) => a.command)).toEqual([
      'cairn repair index',
      'cairn repair snapshots',
      `cairn forget ${p1.id.slice(0, 8)}`,
    ]);

    await withRepo((repo) => repairIndex(repo));
    const s = await withRepo((repo) => repairSnapshots(repo));
    expect(s.rootLost.map((x) => x.id)).toEqual([p1.id]);
    expect(s.repaired).toEqual([expect.objectContaining({ original: p2.id, removedFiles: 0, emptiedFolders: 2 })]);
    const copy = s.repaired[0]?.repaired as string;
    // The copy has c/ whole and a/, b/ as empty folders.
    const expected = new Map([...p2.files].filter(([rel]) => !/^[ab]\//.test(rel)));
    expect(await restored(copy, 'copy')).toEqual({ files: expected, errors: [] });

    await forget([p1.id, p2.id]);
    expect((await checkRepo(true)).errors).toEqual([]);
    // The next backup lists a/ and b/ again (their file data is still stored).
    const next = await backupNow(new Date(Date.UTC(2026, 0, 3, 12)));
    expect(next.summary.dataAdded).toBe(0);
    expect(await restored(next.id, 'next')).toEqual({ files: p2.files, errors: [] });
    expect((await checkRepo(true)).errors).toEqual([]);
  });
});

describe('an interrupted repair index', () => {
  it('stopped after writing its new index: the old (damaged) files are superseded, the repository checks clean, a rerun finishes', async () => {
    const [first] = await fs.readdir(path.join(fx.repoDir, 'index'));
    await flipByte(path.join(fx.repoDir, 'index', first as string), 50);
    await expect(withRepo((repo) => repairIndex(repo, { __testFailAfter: 'index' }))).rejects.toThrow(/interrupted/);
    expect(await fs.readdir(path.join(fx.repoDir, 'locks'))).toEqual([]);
    expect((await fs.readdir(path.join(fx.repoDir, 'index'))).length).toBeGreaterThan(1);

    const between = await checkRepo(true);
    expect(between.errors).toEqual([]);
    expect(between.notes.join('\n')).toMatch(/is damaged .* but superseded/);
    for (const [i, p] of fx.points.entries())
      expect(await restored(p.id, `p${i}`)).toEqual({ files: p.files, errors: [] });

    const rerun = await withRepo((repo) => repairIndex(repo));
    expect(rerun.changed).toBe(true);
    expect(rerun.blobsDropped).toBe(0);
    expect(await fs.readdir(path.join(fx.repoDir, 'index'))).toEqual([rerun.newIndexFile]);
    const clean = await checkRepo(true);
    expect(clean.errors).toEqual([]);
    expect(clean.notes).toEqual([]);
  });

  it('stopped after copying intact blobs: the copies are unindexed leftovers, the repository checks clean, a rerun finishes', async () => {
    const where = await locations();
    // The largest blob of a data pack that holds others too, so that there is something to copy.
    const counts = new Map<string, number>();
    for (const l of where.values()) if (l.type === 'data') counts.set(l.pack, (counts.get(l.pack) ?? 0) + 1);
    const [victim, loc] = [...where]
      .filter(([, l]) => (counts.get(l.pack) ?? 0) > 1)
      .sort((a, b) => b[1].length - a[1].length)[0] as [string, { pack: string; offset: number; length: number }];
    await flipByte(packFile(loc.pack), loc.offset + 40);
    const fails = withRepo((repo) => repairIndex(repo, { readData: true, __testFailAfter: 'copy' }));
    await expect(fails).rejects.toThrow(/interrupted/);

    const between = await checkRepo();
    expect(between.errors).toEqual([]);
    expect(between.notes.join('\n')).toMatch(/pack\(s\) are not indexed/);
    expect(await fs.readdir(path.join(fx.repoDir, 'locks'))).toEqual([]);

    // The rerun indexes the copies the first run left and copies nothing again.
    const rerun = await withRepo((repo) => repairIndex(repo, { readData: true }));
    expect(rerun.droppedBlobIds).toEqual([victim]);
    expect(rerun.packsNewlyIndexed.length).toBeGreaterThan(0);
    expect(rerun.packsWritten).toEqual([]);
    expect(rerun.packsRemoved).toEqual([loc.pack]);
    const after = await checkRepo(true);
    expect(after.errors.length).toBeGreaterThan(0);
    expect(after.errors.every((e) => e.object.startsWith('blob '))).toBe(true);
    expect(after.notes).toEqual([]);
  });
});
