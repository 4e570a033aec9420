/**
 * Restore plans files in batches (5,000 at a time) and writes them pack by pack: a tree larger
 * than one batch, with files sharing packs across batches, must come back byte for byte, with
 * no temporary files left behind, and each pack read once. Files whose data lies in one pack get
 * their metadata from the worker that writes them, the others from the main thread: both kinds
 * must come back with their mode and mtime.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { findNode } from '../../src/engine/browse/walk.js';
import { restore } from '../../src/engine/restore/restorer.js';
import {
  expectSameTree,
  initLocalRepo,
  makeTempDir,
  removeDir,
  restoredPath,
  restoreLeftovers,
  seededBytes,
} from './helpers.js';

describe('restore of more files than one plan batch', () => {
  let dir: string;
  afterAll(async () => {
    await removeDir(dir);
  });

  it('restores 5,300 files in several batches byte for byte', async () => {
    dir = await makeTempDir('restore-batches');
    const src = path.join(dir, 'src');
    for (let d = 0; d < 53; d++) {
      const sub = path.join(src, `d${String(d).padStart(2, '0')}`);
      await fs.mkdir(sub, { recursive: true });
      for (let f = 0; f < 100; f++) {
        await fs.writeFile(path.join(sub, `f${f}.txt`), seededBytes(`${d}/${f}`, 50 + ((d * 100 + f) % 700)));
      }
    }
    await fs.writeFile(path.join(src, 'big.bin'), seededBytes('big', 3 * 1024 * 1024));
    const { repo } = await initLocalRepo(dir);
    const { snapshot } = await backup(repo, { paths: [src] });
    const loads = new Map<string, number>();
    const load = repo.backend.load.bind(repo.backend);
    vi.spyOn(repo.backend, 'load').mockImplementation((ref, range) => {
      if (ref.kind === 'data') loads.set(ref.id, (loads.get(ref.id) ?? 0) + 1);
      return load(ref, range);
    });
    const target = path.join(dir, 'target');
    const result = await restore(repo, snapshot, { target });
    expect(result.errors).toEqual([]);
    expect(result.filesRestored).toBe(5301);
    await expectSameTree(src, restoredPath(target, src));
    expect(await restoreLeftovers(target)).toEqual([]);
    // The small files' pack serves both batches, and is still read once.
    expect(loads.size).toBeGreaterThan(0);
    expect([...loads.entries()].filter(([, n]) => n > 1)).toEqual([]);
  });

  it('gives a file whose data lies in several packs its mode and mtime', async () => {
    const src = path.join(dir, 'spread');
    await fs.mkdir(src, { recursive: true });
    const file = path.join(src, 'grown.bin');
    // Larger than the chunker's largest chunk, so its first chunks stay as they were after the append.
    await fs.writeFile(file, seededBytes('grown-1', 12 * 1024 * 1024));
    const { repo } = await initLocalRepo(path.join(dir, 'spread-repo'));
    await backup(repo, { paths: [src] });
    await fs.appendFile(file, seededBytes('grown-2', 2 * 1024 * 1024));
    await fs.chmod(file, 0o640);
    await fs.utimes(file, new Date('2024-03-01T10:00:00Z'), new Date('2024-03-01T10:00:00Z'));
    const { snapshot } = await backup(repo, { paths: [src] });
    const node = await findNode(repo, snapshot.tree, file);
    const packs = new Set((node?.content ?? []).map((id) => repo.index.get(id)?.pack));
    expect(packs.size).toBeGreaterThan(1);
    const target = path.join(dir, 'spread-target');
    const result = await restore(repo, snapshot, { target });
    expect(result.errors).toEqual([]);
    await expectSameTree(src, restoredPath(target, src));
  });
});
