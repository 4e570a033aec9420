/**
 * The recovery points and restore services over a real repository whose session carries the
 * guard of the frozen points (as the app and the CLI open it): a frozen (restricted) point is
 * listed but never read — browsing, comparing, previewing and restoring it are refused by the
 * engine with code 'restricted', and the search leaves it out — and a restore refuses a point
 * frozen after it was planned. Restoring to
 * the original place ("/") restores the backed-up folders only, and a restore that wrote files
 * is audited.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPrivacyRecords, type PrivacyRecords } from '../../../src/app/privacy/index.js';
import { FrozenPoints } from '../../../src/app/privacy/restriction/frozen.js';
import { restrictFrozen } from '../../../src/app/privacy/restriction/guard.js';
import { prepareBackup, runBackup } from '../../../src/app/services/backup.js';
import {
  diffRecoveryPoints,
  listFiles,
  listRecoveryPoints,
  searchRecoveryPoints,
} from '../../../src/app/services/recovery-points.js';
import {
  planRestore,
  previewRestore,
  type RestoreRequest,
  resolveRestoreTarget,
  runRestore,
} from '../../../src/app/services/restore.js';
import type { Repository } from '../../../src/engine/repo/repository.js';
import { initLocalRepo, makeTempDir, removeDir } from '../../engine/helpers.js';

let dir: string;
let src: string;
let repo: Repository;
let frozen: FrozenPoints;
let records: PrivacyRecords;
let first: string;
let second: string;

async function backUp(): Promise<string> {
  const { snapshot } = await runBackup(repo, prepareBackup({ paths: [src] }, undefined));
  return snapshot.id;
}

beforeEach(async () => {
  dir = await makeTempDir('services-browse');
  src = path.join(dir, 'src');
  await fs.mkdir(path.join(src, 'notes'), { recursive: true });
  await fs.writeFile(path.join(src, 'report.txt'), 'first version');
  await fs.writeFile(path.join(src, 'notes', 'todo.txt'), 'buy milk');
  ({ repo } = await initLocalRepo(dir));
  frozen = new FrozenPoints(path.join(dir, 'data'));
  restrictFrozen(repo, frozen);
  records = openPrivacyRecords(path.join(dir, 'data'), 'cli');
  first = await backUp();
  await fs.writeFile(path.join(src, 'report.txt'), 'second version, longer');
  second = await backUp();
});
afterEach(async () => {
  await repo.close();
  await removeDir(dir);
});

const FROZEN = {
  code: 'restricted',
  message: expect.stringMatching(/is frozen \(restricted under GDPR Art\. 18\) since .* \(disputed\)/),
};

describe('recovery points', () => {
  it('lists every point marked frozen or not, and filters by path', async () => {
    frozen.freeze(repo.config.id, first, 'disputed');
    const { points, damaged } = await listRecoveryPoints(repo, frozen);
    expect(points.map((p) => [p.id, p.frozen])).toEqual([
      [first, true],
      [second, false],
    ]);
    expect(damaged).toEqual([]);
    expect((await listRecoveryPoints(repo, frozen, { path: '/elsewhere' })).points).toEqual([]);
  });

  it('refuses to browse or compare a frozen point, in either position', async () => {
    frozen.freeze(repo.config.id, first, 'disputed');
    await expect(listFiles(repo, first, '/', { recursive: true })).rejects.toMatchObject(FROZEN);
    await expect(diffRecoveryPoints(repo, first, second)).rejects.toMatchObject(FROZEN);
    await expect(diffRecoveryPoints(repo, second, first)).rejects.toMatchObject(FROZEN);
    const open = await listFiles(repo, second, src, { recursive: true });
    expect(open.entries.map((e) => e.path)).toContain(path.join(src, 'report.txt'));
  });

  it('compares two open points', async () => {
    const d = await diffRecoveryPoints(repo, first, 'latest');
    expect(d.after.id).toBe(second);
    expect(d.counts).toEqual({ added: 0, removed: 0, modified: 1, metadata: 0 });
    expect(d.changes.map((c) => c.path)).toEqual([path.join(src, 'report.txt')]);
  });

  it('leaves frozen points out of a search', async () => {
    const all = await searchRecoveryPoints(repo, 'REPORT', { limit: 10, maxFolders: 1000 });
    expect(all.snapshotsSearched).toBe(2);
    expect(all.hits[0]?.versions.map((v) => v.snapshotId)).toEqual([second, first]);

    frozen.freeze(repo.config.id, first, 'disputed');
    const some = await searchRecoveryPoints(repo, 'report', { limit: 10, maxFolders: 1000 });
    expect(some.snapshotsSearched).toBe(1);
    expect(some.hits.map((h) => h.versions.map((v) => v.snapshotId))).toEqual([[second]]);
  });
});

describe('restore', () => {
  const request = (snapshot: string, target: string): RestoreRequest => ({
    snapshot,
    target,
    include: [],
    overwrite: 'never',
    keepBoth: false,
  });

  it('refuses to plan, preview or restore a frozen point', async () => {
    frozen.freeze(repo.config.id, first, 'disputed');
    const target = path.join(dir, 'out');
    await expect(planRestore(repo, request(first, target))).rejects.toMatchObject(FROZEN);
    await expect(previewRestore(repo, request(first, target), 100)).rejects.toMatchObject(FROZEN);
    const preview = await previewRestore(repo, request(second, target), 100);
    expect(preview.counts.new).toBe(2);
  });

  it('refuses a point frozen after the restore was planned, and writes nothing', async () => {
    const target = path.join(dir, 'out');
    const plan = await planRestore(repo, request(first, target));
    frozen.freeze(repo.config.id, first, 'disputed');
    await expect(runRestore(repo, plan, {})).rejects.toMatchObject(FROZEN);
    await expect(fs.access(target)).rejects.toThrow();
  });

  it('restores, audits what it wrote with its outcome, and records nothing for a dry run', async () => {
    const target = path.join(dir, 'out');
    const deps = { records: { privacy: () => records, warn: () => {} } };
    const dry = await runRestore(repo, await planRestore(repo, request(second, target)), {
      ...deps,
      dryRun: true,
    });
    expect(dry.dryRun).toBe(true);
    expect(records.audit.entries().filter((e) => e.action === 'restore.completed')).toEqual([]);

    const r = await runRestore(repo, await planRestore(repo, request(second, target)), deps);
    expect(r.filesRestored).toBe(2);
    expect(await fs.readFile(path.join(target, src, 'report.txt'), 'utf8')).toBe('second version, longer');
    const audited = records.audit.entries().filter((e) => e.action === 'restore.completed');
    expect(audited.map((e) => e.details)).toEqual([
      expect.objectContaining({ snapshotId: second, target, files: 2, errors: 0, status: 'succeeded' }),
    ]);
  });

  it('resolves the original place to the backed-up folders, and refuses what it cannot do', async () => {
    const [snapshot] = (await listRecoveryPoints(repo, frozen)).points;
    if (!snapshot) throw new Error('no recovery point');
    expect(resolveRestoreTarget(snapshot, '/', [], 'linux')).toEqual({ target: '/', include: [src] });
    const one = path.join(src, 'notes');
    expect(resolveRestoreTarget(snapshot, '/', [one], 'linux')).toEqual({ target: '/', include: [one] });
    expect(() => resolveRestoreTarget(snapshot, '/', [], 'win32')).toThrow(/not available on Windows/);
    expect(() => resolveRestoreTarget(snapshot, 'relative/dir', [], 'linux')).toThrow(/absolute path/);
  });
});
