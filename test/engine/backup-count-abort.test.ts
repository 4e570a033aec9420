/**
 * An aborted backup stops the quick count of its source with it: the real count the archiver
 * starts is watched (the module is wrapped only to keep a reference to each count), and must have
 * stopped part-way, not completed nor still running, once the backup has rejected.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BackupProgress, backup } from '../../src/engine/backup/archiver.js';
import type { QuickCount } from '../../src/engine/backup/quick-count.js';
import { initLocalRepo, makeTempDir, removeDir } from './helpers.js';

const counts = vi.hoisted(() => [] as QuickCount[]);

vi.mock('../../src/engine/backup/quick-count.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/engine/backup/quick-count.js')>();
  class KeptQuickCount extends original.QuickCount {
    constructor(...args: ConstructorParameters<typeof original.QuickCount>) {
      super(...args);
      counts.push(this);
    }
  }
  return { ...original, QuickCount: KeptQuickCount };
});

/** Enough entries that the count is still running when the first files are done. */
const FOLDERS = 60;
const PER_FOLDER = 100;

describe('an aborted backup', () => {
  let dir: string;
  let src: string;

  beforeAll(async () => {
    dir = await makeTempDir('count-abort');
    src = path.join(dir, 'src');
    for (let d = 0; d < FOLDERS; d++) {
      mkdirSync(path.join(src, `d${d}`), { recursive: true });
      for (let f = 0; f < PER_FOLDER; f++) writeFileSync(path.join(src, `d${d}`, `f${f}.txt`), `file ${d}/${f}\n`);
    }
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  it('stops the count of its source', async () => {
    const { repo } = await initLocalRepo(dir);
    const controller = new AbortController();
    const reports: BackupProgress[] = [];
    try {
      const attempt = backup(repo, {
        paths: [src],
        signal: controller.signal,
        onProgress: (p) => {
          reports.push(p);
          if (p.counting) controller.abort();
        },
      });
      await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      await repo.close();
    }
    // Aborted while the count ran…
    expect(reports.some((p) => p.counting)).toBe(true);
    expect(counts).toHaveLength(1);
    const count = counts[0] as QuickCount;
    // …which had stopped part-way by the time the backup rejected.
    expect(count).toMatchObject({ complete: false, counting: false });
    expect(count.files).toBeLessThan(FOLDERS * PER_FOLDER);
    await count.done;
  });
});
