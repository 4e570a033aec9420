/**
 * Restore safety and conflict handling. Malicious recovery points are crafted directly with
 * `saveTree`/`saveSnapshot` (unsafe names, folders that meet a planted symlink, a symlink and a
 * folder of the same name): nothing may be written outside the target, and every refused entry is
 * reported. Then the overwrite policies, keep-both, dry runs and `include` on a real backup.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { CairnError } from '../../src/engine/errors.js';
import type { SnapshotRecord } from '../../src/engine/format/snapshot.js';
import { compareNames, type TreeNode } from '../../src/engine/format/tree.js';
import type { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import { craftedSnapshot, initLocalRepo, makeTempDir, removeDir, restoredPath, restoreLeftovers } from './helpers.js';

const T = Date.parse('2023-04-05T06:07:08.009Z');

describe('restoring a malicious recovery point', () => {
  let dir: string;
  let repo: Repository;
  let base: string;
  let target: string;
  let outside: string;
  let payloadId: string;

  const fileNode = (name: string): TreeNode => ({
    name,
    type: 'file',
    mode: 0o644,
    mtime: T,
    size: 8,
    content: [payloadId],
  });

  async function dirNode(name: string, nodes: TreeNode[]): Promise<TreeNode> {
    return { name, type: 'dir', mode: 0o755, mtime: T, subtree: await repo.saveTree({ nodes: sorted(nodes) }) };
  }

  function sorted(nodes: TreeNode[]): TreeNode[] {
    return [...nodes].sort((a, b) => compareNames(a.name, b.name));
  }

  async function snapshotOf(nodes: TreeNode[]): Promise<SnapshotRecord> {
    const tree = await repo.saveTree({ nodes: sorted(nodes) });
    const snap = craftedSnapshot(tree);
    const id = await repo.saveSnapshot(snap);
    return { ...snap, id };
  }

  beforeAll(async () => {
    dir = await makeTempDir('restore-safety');
    ({ repo } = await initLocalRepo(dir));
    payloadId = (await repo.saveBlob('data', Buffer.from('payload\n'))).id;
  });

  afterAll(async () => {
    await repo?.close();
    await removeDir(dir);
  });

  beforeEach(async () => {
    base = await fs.mkdtemp(path.join(dir, 'case-'));
    target = path.join(base, 'target');
    outside = path.join(base, 'outside');
    await fs.mkdir(target);
    await fs.mkdir(outside);
  });

  afterEach(async () => {
    await removeDir(base);
  });

  it('refuses unsafe names and folders that are symlinks in the target, writing nothing outside', async () => {
    const payloadDir = (name: string) => dirNode(name, [fileNode('payload.txt'), fileNode('second.txt')]);
    const snapshot = await snapshotOf([
      await payloadDir('..'),
      await payloadDir('.'),
      fileNode(''),
      fileNode('a/b'),
      fileNode('../escape.txt'),
      fileNode('back\\slash'),
      fileNode('nul\0byte'),
      await payloadDir('evil'),
      await dirNode('nested', [await payloadDir('evil')]),
      fileNode('ok.txt'),
    ]);
    await fs.symlink(outside, path.join(target, 'evil'));
    await fs.mkdir(path.join(target, 'nested'));
    await fs.symlink(outside, path.join(target, 'nested', 'evil'));

    const result = await restore(repo, snapshot, { target, overwrite: 'always' });

    expect(await fs.readdir(outside)).toEqual([]);
    expect((await fs.readdir(base)).sort()).toEqual(['outside', 'target']);
    expect((await fs.readdir(target)).sort()).toEqual(['evil', 'nested', 'ok.txt']);
    expect((await fs.lstat(path.join(target, 'evil'))).isSymbolicLink()).toBe(true);
    expect(await fs.readdir(path.join(target, 'nested'))).toEqual(['evil']);
    expect(await fs.readFile(path.join(target, 'ok.txt'), 'utf8')).toBe('payload\n');
    expect(result.filesRestored).toBe(1);

    const reasons = result.refused.map((r) => r.reason);
    for (const name of ['..', '.', '', 'a/b', '../escape.txt', 'back\\slash', 'nul\0byte']) {
      expect(reasons, `refusal of ${JSON.stringify(name)}`).toContain(`unsafe name ${JSON.stringify(name)}`);
    }
    const symlinked = result.refused.filter((r) => r.reason.includes('is a symbolic link'));
    expect(symlinked.map((r) => r.path).sort()).toEqual(['/evil', '/nested/evil']);
    expect(result.refused).toHaveLength(9);
    expect(await restoreLeftovers(base)).toEqual([]);
  });

  it('does not write through a symlink it restored itself (a symlink and a folder of the same name)', async () => {
    const snapshot = await snapshotOf([
      { name: 'twin', type: 'symlink', mode: 0o777, mtime: T, target: outside },
      await dirNode('twin', [fileNode('payload.txt')]),
    ]);
    const result = await restore(repo, snapshot, { target, overwrite: 'always' });
    expect(await fs.readdir(outside)).toEqual([]);
    expect(result.refused.map((r) => r.path)).toEqual(['/twin']);
  });

  it('replaces a planted symlink to a file outside instead of writing through it', async () => {
    const victim = path.join(outside, 'victim.txt');
    await fs.writeFile(victim, 'original\n');
    await fs.symlink(victim, path.join(target, 'victim.txt'));
    const snapshot = await snapshotOf([fileNode('victim.txt')]);
    const result = await restore(repo, snapshot, { target, overwrite: 'always' });
    expect(result.errors).toEqual([]);
    expect(await fs.readFile(victim, 'utf8')).toBe('original\n');
    const restored = path.join(target, 'victim.txt');
    expect((await fs.lstat(restored)).isFile()).toBe(true);
    expect(await fs.readFile(restored, 'utf8')).toBe('payload\n');
  });

  it('refuses a restore target that is a file with a CairnError (not a raw EEXIST from mkdir)', async () => {
    const file = path.join(base, 'a-file');
    await fs.writeFile(file, 'x');
    const snapshot = await snapshotOf([fileNode('ok.txt')]);
    const attempt = restore(repo, snapshot, { target: file });
    await expect(attempt).rejects.toBeInstanceOf(CairnError);
    await expect(attempt).rejects.toMatchObject({
      code: 'invalid-argument',
      message: `the restore target ${file} is not a folder`,
    });
    expect(await fs.readFile(file, 'utf8')).toBe('x');
  });
});

describe('restore conflicts, dry runs and include', () => {
  let dir: string;
  let src: string;
  let repo: Repository;
  let snapshot: SnapshotRecord;
  let target: string;
  let doc: string;
  const BACKUP_MTIME = new Date('2022-02-03T04:05:06.007Z');
  const SNAPSHOT_TIME = new Date('2024-05-06T07:08:09.000Z');

  beforeAll(async () => {
    dir = await makeTempDir('restore-conflicts');
    src = path.join(dir, 'src');
    await fs.mkdir(path.join(src, 'a'), { recursive: true });
    await fs.mkdir(path.join(src, 'b'));
    await fs.writeFile(path.join(src, 'doc.txt'), 'backed-up content\n');
    await fs.utimes(path.join(src, 'doc.txt'), BACKUP_MTIME, BACKUP_MTIME);
    await fs.writeFile(path.join(src, 'noext'), 'no extension\n');
    await fs.writeFile(path.join(src, 'a/one.txt'), 'one\n');
    await fs.writeFile(path.join(src, 'a/two.txt'), 'two\n');
    await fs.writeFile(path.join(src, 'b/three.txt'), 'three\n');
    ({ repo } = await initLocalRepo(dir));
    snapshot = (await backup(repo, { paths: [src], time: SNAPSHOT_TIME })).snapshot;
  });

  afterAll(async () => {
    await repo?.close();
    await removeDir(dir);
  });

  beforeEach(async () => {
    target = await fs.mkdtemp(path.join(dir, 'target-'));
    const first = await restore(repo, snapshot, { target });
    expect(first.errors).toEqual([]);
    doc = path.join(restoredPath(target, src), 'doc.txt');
  });

  afterEach(async () => {
    await removeDir(target);
  });

  async function editLocally(file: string, mtime: Date): Promise<void> {
    await fs.writeFile(file, 'local edit\n');
    await fs.utimes(file, mtime, mtime);
  }

  const docRepoPath = () => path.join(path.resolve(src), 'doc.txt');

  it('overwrite "never" (the default) keeps the existing file and reports the skip', async () => {
    await editLocally(doc, new Date('2000-01-01T00:00:00Z'));
    const result = await restore(repo, snapshot, { target });
    expect(await fs.readFile(doc, 'utf8')).toBe('local edit\n');
    expect(result.conflicts).toContainEqual(expect.objectContaining({ path: docRepoPath(), action: 'skip' }));
    expect(result.conflicts.every((c) => c.action === 'skip')).toBe(true);
    expect(result.filesRestored).toBe(0);
    expect(result.errors).toEqual([]);
  });

  it('overwrite "always" replaces the existing file with the backed-up content and mtime', async () => {
    await editLocally(doc, new Date('2030-01-01T00:00:00Z'));
    const result = await restore(repo, snapshot, { target, overwrite: 'always' });
    expect(await fs.readFile(doc, 'utf8')).toBe('backed-up content\n');
    expect(Math.round((await fs.stat(doc)).mtimeMs)).toBe(BACKUP_MTIME.getTime());
    expect(result.conflicts).toContainEqual(expect.objectContaining({ path: docRepoPath(), action: 'overwrite' }));
    expect(await restoreLeftovers(target)).toEqual([]);
  });

  it('overwrite "if-newer" replaces an older local file', async () => {
    await editLocally(doc, new Date('2000-01-01T00:00:00Z'));
    const result = await restore(repo, snapshot, { target, overwrite: 'if-newer' });
    expect(await fs.readFile(doc, 'utf8')).toBe('backed-up content\n');
    expect(result.conflicts).toContainEqual(expect.objectContaining({ path: docRepoPath(), action: 'overwrite' }));
  });

  it('overwrite "if-newer" keeps a local file newer than the backed-up one', async () => {
    await editLocally(doc, new Date('2030-01-01T00:00:00Z'));
    const result = await restore(repo, snapshot, { target, overwrite: 'if-newer' });
    expect(await fs.readFile(doc, 'utf8')).toBe('local edit\n');
    expect(result.conflicts).toContainEqual(expect.objectContaining({ path: docRepoPath(), action: 'skip' }));
  });

  it('keepBoth restores beside the existing file as "name (restored DATE ID).ext", numbered when taken', async () => {
    await editLocally(doc, new Date('2030-01-01T00:00:00Z'));
    const result = await restore(repo, snapshot, {
      target,
      keepBoth: true,
      include: [docRepoPath(), path.join(src, 'noext')],
    });
    expect(result.errors).toEqual([]);
    const folder = path.dirname(doc);
    const label = `restored 2024-05-06 ${snapshot.id.slice(0, 8)}`;
    expect(await fs.readFile(doc, 'utf8')).toBe('local edit\n');
    expect(await fs.readFile(path.join(folder, `doc (${label}).txt`), 'utf8')).toBe('backed-up content\n');
    expect(await fs.readFile(path.join(folder, `noext (${label})`), 'utf8')).toBe('no extension\n');
    expect(result.conflicts).toContainEqual(expect.objectContaining({ path: docRepoPath(), action: 'keep-both' }));

    const again = await restore(repo, snapshot, { target, keepBoth: true, include: [docRepoPath()] });
    expect(again.errors).toEqual([]);
    expect(await fs.readFile(path.join(folder, `doc (${label} 2).txt`), 'utf8')).toBe('backed-up content\n');
    expect(await restoreLeftovers(target)).toEqual([]);
  });

  it('a dry run into a new folder writes nothing and counts what it would restore', async () => {
    const fresh = path.join(dir, 'never-created');
    const result = await restore(repo, snapshot, { target: fresh, dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(result.filesRestored).toBe(5);
    expect(result.errors).toEqual([]);
    await expect(fs.access(fresh)).rejects.toThrow();
  });

  it('a dry run reports the same counts (files, folders, symlinks, bytes) as the real restore', async () => {
    const small = path.join(dir, 'small-src');
    await fs.mkdir(path.join(small, 'sub/deeper'), { recursive: true });
    await fs.writeFile(path.join(small, 'sub/file.txt'), 'twelve bytes');
    await fs.symlink('sub/file.txt', path.join(small, 'link'));
    const snap = (await backup(repo, { paths: [small] })).snapshot;
    const planned = await restore(repo, snap, { target: path.join(target, 'dry'), dryRun: true });
    const real = await restore(repo, snap, { target: path.join(target, 'real') });
    expect(real.errors).toEqual([]);
    expect(real.filesRestored).toBe(1);
    expect(real.symlinksRestored).toBe(1);
    expect(real.bytesRestored).toBe(12);
    expect({
      files: planned.filesRestored,
      dirs: planned.dirsRestored,
      symlinks: planned.symlinksRestored,
      bytes: planned.bytesRestored,
    }).toEqual({
      files: real.filesRestored,
      dirs: real.dirsRestored,
      symlinks: real.symlinksRestored,
      bytes: real.bytesRestored,
    });
  });

  it('a dry run over existing files lists the planned overwrites and writes nothing', async () => {
    await editLocally(doc, new Date('2000-01-01T00:00:00Z'));
    const before = await fs.stat(doc);
    const result = await restore(repo, snapshot, { target, overwrite: 'always', dryRun: true });
    expect(result.conflicts).toHaveLength(5);
    expect(result.conflicts.every((c) => c.action === 'overwrite')).toBe(true);
    expect(result.conflicts.map((c) => c.path)).toContain(docRepoPath());
    expect(await fs.readFile(doc, 'utf8')).toBe('local edit\n');
    expect((await fs.stat(doc)).mtimeMs).toBe(before.mtimeMs);
    expect(await restoreLeftovers(target)).toEqual([]);
  });

  it('include restores only the chosen paths', async () => {
    const only = await fs.mkdtemp(path.join(dir, 'only-'));
    try {
      const result = await restore(repo, snapshot, { target: only, include: [path.join(src, 'a')] });
      expect(result.errors).toEqual([]);
      const restored = restoredPath(only, src);
      expect((await fs.readdir(restored)).sort()).toEqual(['a']);
      expect((await fs.readdir(path.join(restored, 'a'))).sort()).toEqual(['one.txt', 'two.txt']);
      expect(result.filesRestored).toBe(2);
    } finally {
      await removeDir(only);
    }
  });

  it('an include that matches nothing is reported in errors', async () => {
    const only = await fs.mkdtemp(path.join(dir, 'only-'));
    try {
      const missing = path.join(src, 'no-such-entry');
      const result = await restore(repo, snapshot, { target: only, include: [missing] });
      expect(result.errors).toEqual([{ path: missing, message: 'not found in this recovery point' }]);
      expect(result.filesRestored).toBe(0);
    } finally {
      await removeDir(only);
    }
  });

  it('include "/" restores everything without reporting "/" as not found', async () => {
    const only = await fs.mkdtemp(path.join(dir, 'only-'));
    try {
      const result = await restore(repo, snapshot, { target: only, include: ['/'] });
      expect(result.filesRestored).toBe(5);
      expect(result.errors).toEqual([]);
    } finally {
      await removeDir(only);
    }
  });

  it('nested includes (a folder and a file inside it) are both found, without a spurious error', async () => {
    const only = await fs.mkdtemp(path.join(dir, 'only-'));
    try {
      const result = await restore(repo, snapshot, {
        target: only,
        include: [path.join(src, 'a'), path.join(src, 'a/one.txt')],
      });
      expect(result.filesRestored).toBe(2);
      expect(result.errors).toEqual([]);
    } finally {
      await removeDir(only);
    }
  });
});
