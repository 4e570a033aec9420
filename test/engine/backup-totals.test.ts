/**
 * The totals a backup's progress carries: a first backup counts its source beside the walk
 * (quick-count.ts) and reports the totals before it ends, equal to what the recovery point holds
 * (excludes, `.cairnignore` and cache folders honoured); a later one takes the parent's. That an
 * aborted backup stops its count is in backup-count-abort.test.ts.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackupProgress, backup } from '../../src/engine/backup/archiver.js';
import { CACHEDIR_TAG_SIGNATURE } from '../../src/engine/backup/excludes.js';
import type { Repository } from '../../src/engine/repo/repository.js';
import { initLocalRepo, MiB, makeTempDir, removeDir, seededBytes } from './helpers.js';

const EXCLUDES = ['*.tmp', 'node_modules'];
/** Small files spread over folders, so the walk takes many turns of the event loop. */
const SMALL_FOLDERS = 40;
const SMALL_PER_FOLDER = 50;

describe('the totals of a backup’s progress', () => {
  let dir: string;
  let src: string;
  let repo: Repository;
  /** What the recovery point must hold, summed from what the test wrote. */
  const expected = { files: 0, bytes: 0 };

  async function put(rel: string, data: Buffer | string, kept: boolean): Promise<void> {
    const file = path.join(src, rel);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, data);
    if (kept) {
      expected.files++;
      expected.bytes += Buffer.byteLength(data);
    }
  }

  beforeAll(async () => {
    dir = await makeTempDir('totals');
    src = path.join(dir, 'src');
    await put('a.txt', 'a'.repeat(100), true);
    await put('empty', '', true);
    await put('b/c.txt', 'c'.repeat(2000), true);
    await put('big-1.bin', seededBytes('big-1', 3 * MiB), true);
    await put('b/big-2.bin', seededBytes('big-2', (3 * MiB) / 2), true);
    for (let d = 0; d < SMALL_FOLDERS; d++)
      for (let f = 0; f < SMALL_PER_FOLDER; f++) await put(`many/d${d}/f${f}.txt`, `file ${d}/${f}\n`, true);
    // Left out by --exclude, by a .cairnignore (which is itself backed up) and by a cache tag.
    await put('drop.tmp', 'x'.repeat(5000), false);
    await put('node_modules/pkg/index.js', 'y'.repeat(7000), false);
    await put('sub/.cairnignore', 'secret.txt\n', true);
    await put('sub/secret.txt', 'z'.repeat(9000), false);
    await put('sub/keep.txt', 'kept\n', true);
    await put('cache/CACHEDIR.TAG', `${CACHEDIR_TAG_SIGNATURE}\n`, false);
    await put('cache/blob.bin', 'w'.repeat(11000), false);
    await fs.symlink('a.txt', path.join(src, 'link')); // a link, not a file
    ({ repo } = await initLocalRepo(dir));
  });

  afterAll(async () => {
    await repo?.close();
    await removeDir(dir);
  });

  it('a first backup reports the counted totals before it ends, equal to what it holds', async () => {
    const reports: BackupProgress[] = [];
    const { snapshot } = await backup(repo, { paths: [src], excludes: EXCLUDES, onProgress: (p) => reports.push(p) });
    expect(snapshot.parent).toBeUndefined();
    expect(snapshot.summary).toMatchObject({ totalFiles: expected.files, totalBytes: expected.bytes });
    const first = reports.findIndex((p) => p.filesTotal !== undefined);
    expect(first).toBeGreaterThanOrEqual(0);
    const withTotals = reports[first] as BackupProgress;
    // Reported while most of the backup was still to do.
    expect(withTotals.filesDone).toBeLessThan(expected.files);
    expect(withTotals.bytesDone).toBeLessThan(expected.bytes);
    for (const p of reports.slice(first)) {
      expect(p).toMatchObject({ filesTotal: expected.files, bytesTotal: expected.bytes });
      expect(p.counting).toBeUndefined();
    }
    // Before the totals, a report says what the count has found so far (never more than there is).
    for (const p of reports.slice(0, first)) {
      expect(p.filesTotal).toBeUndefined();
      expect(p.counting?.files).toBeLessThanOrEqual(expected.files);
    }
  });

  it('a later backup of the same paths takes its totals from the parent and does not count', async () => {
    const reports: BackupProgress[] = [];
    const { snapshot } = await backup(repo, { paths: [src], excludes: EXCLUDES, onProgress: (p) => reports.push(p) });
    expect(snapshot.parent).toBeDefined();
    expect(reports.length).toBeGreaterThan(0);
    for (const p of reports) {
      expect(p).toMatchObject({ filesTotal: expected.files, bytesTotal: expected.bytes });
      expect(p.counting).toBeUndefined();
    }
  });

  it('counts when the parent named holds other paths than the backup', async () => {
    const parent = (await repo.listSnapshots()).at(-1)?.id as string;
    const many = path.join(src, 'many');
    const reports: BackupProgress[] = [];
    const { snapshot } = await backup(repo, { paths: [many], parent, onProgress: (p) => reports.push(p) });
    const files = SMALL_FOLDERS * SMALL_PER_FOLDER;
    expect(snapshot.summary.totalFiles).toBe(files);
    expect(reports.length).toBeGreaterThan(0);
    // Never the parent's totals (of the whole source): the count's so far, or its totals.
    for (const p of reports) {
      if (p.filesTotal === undefined) expect(p.counting?.files).toBeLessThanOrEqual(files);
      else expect(p).toMatchObject({ filesTotal: files, bytesTotal: snapshot.summary.totalBytes });
    }
  });
});
