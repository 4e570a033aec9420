/**
 * Damage detection on a real repository folder: a flipped byte in a pack, a deleted pack, a
 * modified snapshot, and an unindexed pack left by an interrupted backup (not damage: a note).
 * A restore must report a damaged file as an error and never leave a partial file behind.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBackend } from '../../src/engine/backend/local.js';
import { backup } from '../../src/engine/backup/archiver.js';
import { walk } from '../../src/engine/browse/walk.js';
import { check } from '../../src/engine/check/checker.js';
import { blobId } from '../../src/engine/crypto/ids.js';
import { encodeBlob } from '../../src/engine/format/blob-codec.js';
import type { SnapshotRecord } from '../../src/engine/format/snapshot.js';
import { PackWriter } from '../../src/engine/repo/pack-writer.js';
import { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import {
  compressibleText,
  flipByte,
  initLocalRepo,
  MiB,
  makeTempDir,
  PASSWORD,
  removeDir,
  restoredPath,
  restoreLeftovers,
  seededBytes,
} from './helpers.js';

describe('integrity checks on a damaged repository', () => {
  let dir: string;
  let src: string;
  let repoDir: string;
  let repo: Repository;
  let snapshot: SnapshotRecord;

  beforeEach(async () => {
    dir = await makeTempDir('integrity');
    src = path.join(dir, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'big.bin'), seededBytes('integrity', 6 * MiB));
    await fs.writeFile(path.join(src, 'text.txt'), compressibleText(200 * 1024));
    await fs.writeFile(path.join(src, 'small.txt'), 'small\n');
    const made = await initLocalRepo(dir);
    repoDir = made.repoDir;
    snapshot = (await backup(made.repo, { paths: [src] })).snapshot;
    await made.repo.close();
    repo = await Repository.open(new LocalBackend(repoDir), PASSWORD);
  });

  afterEach(async () => {
    await repo?.close();
    await removeDir(dir);
  });

  const packFile = (id: string) => path.join(repoDir, 'data', id.slice(0, 2), id);

  /** The largest data blob (it belongs to big.bin): its location in its pack. */
  async function largestBlob(): Promise<{ id: string; pack: string; offset: number; length: number }> {
    await repo.loadIndex();
    let best: { id: string; pack: string; offset: number; length: number } | undefined;
    for (const [id, loc] of repo.index.entries()) {
      if (loc.type === 'data' && (!best || loc.length > best.length))
        best = { id, pack: loc.pack, offset: loc.offset, length: loc.length };
    }
    if (!best) throw new Error('no data blob');
    return best;
  }

  it('an intact repository checks clean, with all data read', async () => {
    const result = await check(repo, { readData: { kind: 'all' } });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.notes).toEqual([]);
    expect(result.snapshots).toBe(1);
    expect(result.packsRead).toBe(result.packs);
    expect(result.packsVerified).toHaveLength(result.packs);
  });

  it('a flipped byte in the largest pack fails check --read-data, and the restore reports the damaged file', async () => {
    const blob = await largestBlob();
    const file = packFile(blob.pack);
    const largest = (await fs.readdir(path.join(repoDir, 'data'), { recursive: true }))
      .map((rel) => path.join(repoDir, 'data', String(rel)))
      .filter((p) => path.basename(p).length === 64);
    const sizes = await Promise.all(largest.map(async (p) => ({ p, size: (await fs.stat(p)).size })));
    expect(sizes.sort((a, b) => b.size - a.size)[0]?.p).toBe(file);
    await flipByte(file, blob.offset + Math.floor(blob.length / 2));

    const structural = await check(repo);
    expect(structural.ok).toBe(true); // structure alone does not read pack contents

    const result = await check(repo, { readData: { kind: 'all' } });
    expect(result.ok).toBe(false);
    const objects = result.errors.map((e) => e.object);
    expect(objects).toContain(`pack ${blob.pack.slice(0, 12)}`);
    expect(result.errors.some((e) => e.message.includes('does not match its name'))).toBe(true);
    expect(result.packsVerified).not.toContain(blob.pack);

    // Which file uses the damaged blob?
    const damaged: string[] = [];
    for await (const e of walk(repo, snapshot.tree, src)) if (e.node.content?.includes(blob.id)) damaged.push(e.path);
    expect(damaged).toEqual([path.join(src, 'big.bin')]);

    const target = path.join(dir, 'restored');
    const restored = await restore(repo, snapshot, { target });
    expect(restored.errors.map((e) => e.path)).toEqual([path.join(src, 'big.bin')]);
    const back = restoredPath(target, src);
    await expect(fs.access(path.join(back, 'big.bin'))).rejects.toThrow();
    expect(await restoreLeftovers(target)).toEqual([]);
    // The undamaged files are restored all the same.
    expect(await fs.readFile(path.join(back, 'small.txt'), 'utf8')).toBe('small\n');
    expect((await fs.readFile(path.join(back, 'text.txt'))).equals(compressibleText(200 * 1024))).toBe(true);
  });

  it('a deleted pack is reported missing by check without reading data', async () => {
    const blob = await largestBlob();
    await fs.rm(packFile(blob.pack));
    const result = await check(repo);
    expect(result.ok).toBe(false);
    expect(result.errors).toContainEqual({
      object: `pack ${blob.pack.slice(0, 12)}`,
      message: expect.stringMatching(/^missing: \d+ blobs it held are lost$/),
    });
  });

  it('a truncated pack is reported by check without reading data', async () => {
    const blob = await largestBlob();
    await fs.truncate(packFile(blob.pack), blob.offset + 10);
    const result = await check(repo);
    expect(result.ok).toBe(false);
    expect(
      result.errors.some((e) => e.object === `pack ${blob.pack.slice(0, 12)}` && e.message.startsWith('truncated')),
    ).toBe(true);
  });

  it('a deleted pack: the restore reports each file that needed it, with the reason, and leaves no partial file', async () => {
    const blob = await largestBlob();
    await fs.rm(packFile(blob.pack));
    const target = path.join(dir, 'restored');
    const restored = await restore(repo, snapshot, { target });
    expect(restored.errors.map((e) => e.path)).toContain(path.join(src, 'big.bin'));
    for (const e of restored.errors)
      expect(e.message).toBe(`pack ${blob.pack.slice(0, 12)} is missing from the repository`);
    expect(await restoreLeftovers(target)).toEqual([]);
  });

  it('a truncated pack: files whose blobs lie before the cut are restored, the others are reported', async () => {
    // Cut the pack right after the earliest blob of one of the small files.
    const pack = (await largestBlob()).pack;
    const blobsOf = new Map<string, { offset: number; length: number; pack: string }[]>();
    for await (const e of walk(repo, snapshot.tree, src)) {
      if (e.node.type !== 'file') continue;
      const located = (e.node.content ?? []).map((id) => repo.index.get(id));
      blobsOf.set(
        e.path,
        located.filter((b) => b !== undefined),
      );
    }
    const smallEnds = ['small.txt', 'text.txt'].flatMap((n) =>
      (blobsOf.get(path.join(src, n)) ?? []).filter((b) => b.pack === pack).map((b) => b.offset + b.length),
    );
    const cut = Math.min(...smallEnds);
    await fs.truncate(packFile(pack), cut);
    const intact = [...blobsOf].filter(([, blobs]) =>
      blobs.every((b) => b.pack !== pack || b.offset + b.length <= cut),
    );
    expect(intact.length).toBeGreaterThan(0);
    expect(intact.length).toBeLessThan(blobsOf.size);

    const target = path.join(dir, 'restored');
    const restored = await restore(repo, snapshot, { target });
    const intactPaths = new Set(intact.map(([p]) => p));
    expect(restored.errors.map((e) => e.path).sort()).toEqual(
      [...blobsOf.keys()].filter((p) => !intactPaths.has(p)).sort(),
    );
    for (const e of restored.errors) expect(e.message).toMatch(/lies beyond the end of its pack/);
    for (const p of intactPaths) {
      const back = path.join(restoredPath(target, src), path.basename(p));
      expect((await fs.readFile(back)).equals(await fs.readFile(p))).toBe(true);
    }
    expect(await restoreLeftovers(target)).toEqual([]);
  });

  it('a modified snapshot file is reported', async () => {
    const file = path.join(repoDir, 'snapshots', snapshot.id);
    const size = (await fs.stat(file)).size;
    await flipByte(file, Math.floor(size / 2));
    const result = await check(repo);
    expect(result.ok).toBe(false);
    expect(result.errors).toContainEqual({
      object: `snapshot ${snapshot.id.slice(0, 8)}`,
      message: expect.stringContaining('does not match its name'),
    });
    expect(result.snapshots).toBe(0);
  });

  it('a damaged tree pack is reported for the folder that needs it', async () => {
    await repo.loadIndex();
    const treeLoc = repo.index.get(snapshot.tree);
    if (!treeLoc) throw new Error('root tree not indexed');
    await flipByte(packFile(treeLoc.pack), treeLoc.offset + Math.floor(treeLoc.length / 2));
    const fresh = await Repository.open(new LocalBackend(repoDir), PASSWORD);
    try {
      const result = await check(fresh);
      expect(result.ok).toBe(false);
      expect(result.errors.some((e) => e.object === `tree ${snapshot.tree.slice(0, 12)}`)).toBe(true);
    } finally {
      await fresh.close();
    }
  });

  it('a damaged index file is reported by check, not thrown', async () => {
    const [indexId] = await repo.listIds('index');
    if (!indexId) throw new Error('no index file');
    const file = path.join(repoDir, 'index', indexId);
    await flipByte(file, Math.floor((await fs.stat(file)).size / 2));
    const fresh = await Repository.open(new LocalBackend(repoDir), PASSWORD);
    try {
      const result = await check(fresh);
      expect(result.ok).toBe(false);
      expect(result.errors).toContainEqual({
        object: `index ${indexId.slice(0, 12)}`,
        message: expect.stringContaining('does not match its name'),
      });
    } finally {
      await fresh.close();
    }
  });

  it('a deleted index file makes check report the folders and data it held as missing', async () => {
    for (const id of await repo.listIds('index')) await fs.rm(path.join(repoDir, 'index', id));
    const fresh = await Repository.open(new LocalBackend(repoDir), PASSWORD);
    try {
      const result = await check(fresh);
      expect(result.ok).toBe(false);
      expect(result.errors).toContainEqual({
        object: `tree ${snapshot.tree.slice(0, 12)}`,
        message: expect.stringContaining('is missing from the index'),
      });
      expect(result.notes[0]).toMatch(/pack\(s\) are not indexed/);
    } finally {
      await fresh.close();
    }
  });

  it('an unindexed pack (an interrupted backup) is a note, not an error', async () => {
    const saved: string[] = [];
    const writer = new PackWriter(repo.backend, repo.keys.dataKey, 1024 * 1024, (p) => saved.push(p.id));
    const plain = Buffer.from('orphaned data from an interrupted backup');
    await writer.add('data', blobId(repo.keys.idKey, plain), encodeBlob(repo.keys.dataKey, plain), plain.length);
    await writer.flush();
    expect(saved).toHaveLength(1);
    const result = await check(repo, { readData: { kind: 'all' } });
    expect(result.errors).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toMatch(/^1 pack\(s\) are not indexed \(left by an interrupted backup\)/);
  });
});
