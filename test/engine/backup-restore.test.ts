/**
 * Backup → restore round trips on a real tree full of awkward entries (Unicode in both
 * normalization forms, odd and long names, symlinks, empty files and folders, modes, mtimes, a
 * 20 MiB random file), then incremental backups: unchanged, and with a changed, an added and a
 * deleted file.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backup } from '../../src/engine/backup/archiver.js';
import { diffTrees, findNode, walk } from '../../src/engine/browse/walk.js';
import type { SnapshotRecord } from '../../src/engine/format/snapshot.js';
import type { Repository } from '../../src/engine/repo/repository.js';
import { restore } from '../../src/engine/restore/restorer.js';
import {
  compressibleText,
  expectSameTree,
  initLocalRepo,
  MiB,
  makeTempDir,
  removeDir,
  restoredPath,
  restoreLeftovers,
  scanTree,
  seededBytes,
} from './helpers.js';

const BASE_TIME = Date.parse('2021-03-04T05:06:07.123Z');
const LONG_NAME = `${'l'.repeat(196)}.txt`; // 200 bytes
const NFC = 'caf\u00e9.txt';
const NFD = 'cafe\u0301.txt';
const ODD_NAMES = [
  'with space.txt',
  '-leading-dash',
  'new\nline',
  '#hash',
  LONG_NAME,
  ' leading space',
  'trailing space ',
];

/** Builds the source tree and sets every mode and mtime (folders last, deepest first). */
async function buildTree(src: string): Promise<void> {
  const file = async (rel: string, data: Buffer | string) => {
    await fs.mkdir(path.dirname(path.join(src, rel)), { recursive: true });
    await fs.writeFile(path.join(src, rel), data);
  };
  await fs.mkdir(src, { recursive: true });
  await file('a/b/c/deep.txt', 'deep inside\n');
  await file('a/b/sibling.txt', 'sibling\n');
  await file('empty.bin', '');
  await fs.mkdir(path.join(src, 'empty-dir'));
  await file('big.bin', seededBytes('big file', 20 * MiB));
  await file('text.txt', compressibleText(2 * MiB));
  await file(`unicode/${NFC}`, 'composed é\n');
  await file(`unicode/${NFD}`, 'decomposed é\n');
  await file('unicode/🎉 party.txt', 'emoji\n');
  await file('unicode/日本語のファイル.txt', 'CJK\n');
  await fs.mkdir(path.join(src, 'unicode/フォルダ'));
  for (const name of ODD_NAMES) await file(`odd/${name}`, `content of ${JSON.stringify(name)}\n`);
  await fs.symlink('text.txt', path.join(src, 'link-to-text'));
  await fs.symlink('does/not/exist', path.join(src, 'dangling-link'));
  await fs.symlink('/etc/hostname', path.join(src, 'absolute-link'));
  await file('private/secret.txt', 'mode 0640\n');
  await fs.chmod(path.join(src, 'private/secret.txt'), 0o640);
  await fs.chmod(path.join(src, 'private'), 0o750);
  await file('script.sh', '#!/bin/sh\necho hi\n');
  await fs.chmod(path.join(src, 'script.sh'), 0o755);

  // mtimes with millisecond precision: files and links first, then folders from the deepest up.
  const entries = await scanTree(src);
  let k = 0;
  for (const e of entries.filter((x) => x.type !== 'dir')) {
    const t = new Date(BASE_TIME + 1000 * 3600 * k++ + 7 * k);
    if (e.type === 'symlink') await fs.lutimes(path.join(src, e.rel), t, t);
    else await fs.utimes(path.join(src, e.rel), t, t);
  }
  const dirs = entries
    .filter((x) => x.type === 'dir')
    .sort((x, y) => y.rel.split('/').length - x.rel.split('/').length);
  for (const d of dirs) {
    const t = new Date(BASE_TIME - 1000 * 60 * k++ + 3 * k);
    await fs.utimes(path.join(src, d.rel), t, t);
  }
  await fs.chmod(src, 0o755);
  await fs.utimes(src, new Date(BASE_TIME + 5), new Date(BASE_TIME + 5));
}

describe('backup and restore of a real tree', () => {
  let dir: string;
  let src: string;
  let repo: Repository;
  let first: SnapshotRecord;
  let second: SnapshotRecord;
  let third: SnapshotRecord;
  let fileCount: number;
  let originalText: Buffer;

  beforeAll(async () => {
    dir = await makeTempDir('roundtrip');
    src = path.join(dir, 'src');
    await buildTree(src);
    originalText = await fs.readFile(path.join(src, 'text.txt'));
    fileCount = (await scanTree(src)).filter((e) => e.type === 'file').length;
    ({ repo } = await initLocalRepo(dir));
    first = (await backup(repo, { paths: [src] })).snapshot;
  });

  afterAll(async () => {
    await repo?.close();
    await removeDir(dir);
  });

  it('records a complete, non-partial recovery point with the right counts', () => {
    expect(first.partial).toBe(false);
    expect(first.warnings).toEqual([]);
    expect(first.paths).toEqual([path.resolve(src)]);
    expect(first.summary.filesNew).toBe(fileCount);
    expect(first.summary.filesChanged).toBe(0);
    expect(first.summary.filesUnchanged).toBe(0);
    expect(first.summary.totalFiles).toBe(fileCount);
    expect(first.summary.totalBytes).toBeGreaterThan(22 * MiB);
    expect(first.summary.dataAdded).toBe(first.summary.totalBytes);
    // The text compresses; the random file does not grow much.
    expect(first.summary.dataAddedStored).toBeLessThan(first.summary.dataAdded);
  });

  it('keeps NFC and NFD names apart, and odd names as they are', async () => {
    const names: string[] = [];
    for await (const e of walk(repo, first.tree, path.join(src, 'unicode'))) names.push(e.node.name);
    expect(names).toContain(NFC);
    expect(names).toContain(NFD);
    const odd: string[] = [];
    for await (const e of walk(repo, first.tree, path.join(src, 'odd'))) odd.push(e.node.name);
    expect(odd.sort()).toEqual([...ODD_NAMES].sort());
    const link = await findNode(repo, first.tree, path.join(src, 'dangling-link'));
    expect(link).toMatchObject({ type: 'symlink', target: 'does/not/exist' });
  });

  it('restores every entry byte for byte, with modes, mtimes and symlink targets', async () => {
    const target = path.join(dir, 'restore-1');
    const result = await restore(repo, first, { target });
    expect(result.errors).toEqual([]);
    expect(result.refused).toEqual([]);
    expect(result.filesRestored).toBe(fileCount);
    expect(result.symlinksRestored).toBe(3);
    const restoredSrc = restoredPath(target, src);
    await expectSameTree(src, restoredSrc, { symlinkMtime: true });
    const rootStat = await fs.stat(restoredSrc);
    expect(rootStat.mode & 0o7777).toBe(0o755);
    expect(Math.round(rootStat.mtimeMs)).toBe(BASE_TIME + 5);
    expect(await restoreLeftovers(target)).toEqual([]);
  });

  it('a second backup without changes reads nothing and adds no data', async () => {
    second = (await backup(repo, { paths: [src] })).snapshot;
    expect(second.parent).toBe(first.id);
    expect(second.summary.filesUnchanged).toBe(fileCount);
    expect(second.summary.filesNew).toBe(0);
    expect(second.summary.filesChanged).toBe(0);
    expect(second.summary.dataAdded).toBe(0);
    expect(second.summary.totalBytes).toBe(first.summary.totalBytes);
    // Identical content and metadata give the identical tree for the backed-up folder (the folders
    // above it, like the temp folder, may have changed their mtime meanwhile).
    const before = await findNode(repo, first.tree, src);
    const after = await findNode(repo, second.tree, src);
    expect(after?.subtree).toBeDefined();
    expect(after?.subtree).toBe(before?.subtree);
    expect(await diffTrees(repo, first.tree, second.tree)).toEqual([]);
  });

  it('a backup after changing, adding and deleting one file each counts and diffs exactly those', async () => {
    const changed = path.join(src, 'text.txt');
    await fs.appendFile(changed, 'one more line\n');
    await fs.writeFile(path.join(src, 'added.txt'), 'brand new\n');
    await fs.rm(path.join(src, 'a/b/c/deep.txt'));
    third = (await backup(repo, { paths: [src] })).snapshot;
    expect(third.parent).toBe(second.id);
    expect(third.summary.filesChanged).toBe(1);
    expect(third.summary.filesNew).toBe(1);
    expect(third.summary.filesUnchanged).toBe(fileCount - 2);
    expect(third.summary.totalFiles).toBe(fileCount);
    expect(third.summary.dataAdded).toBeGreaterThan(0);
    expect(third.summary.dataAdded).toBeLessThan(3 * MiB);

    const changes = await diffTrees(repo, second.tree, third.tree);
    const simplified = changes.map((c) => `${c.change} ${c.type} ${c.path}`).sort();
    expect(simplified).toEqual(
      [
        `added file ${path.join(src, 'added.txt')}`,
        `modified file ${changed}`,
        `removed file ${path.join(src, 'a/b/c/deep.txt')}`,
      ].sort(),
    );
    const modified = changes.find((c) => c.change === 'modified');
    expect(modified?.sizeBefore).toBe(originalText.length);
    expect(modified?.sizeAfter).toBe(originalText.length + 'one more line\n'.length);
  });

  it('the latest recovery point restores the current tree exactly', async () => {
    const target = path.join(dir, 'restore-3');
    const result = await restore(repo, third, { target });
    expect(result.errors).toEqual([]);
    await expectSameTree(src, restoredPath(target, src), { symlinkMtime: true });
  });

  it('a metadata-only change is reported as such and adds no data', async () => {
    await fs.chmod(path.join(src, 'script.sh'), 0o700);
    const fourth = (await backup(repo, { paths: [src] })).snapshot;
    expect(fourth.summary.filesChanged).toBe(1);
    expect(fourth.summary.dataAdded).toBe(0);
    const changes = await diffTrees(repo, third.tree, fourth.tree);
    expect(changes.map((c) => `${c.change} ${c.path}`)).toEqual([`metadata ${path.join(src, 'script.sh')}`]);
  });

  it('the old recovery point still restores the old content', async () => {
    const target = path.join(dir, 'restore-old');
    const result = await restore(repo, first, { target });
    expect(result.errors).toEqual([]);
    const old = restoredPath(target, src);
    expect((await fs.readFile(path.join(old, 'text.txt'))).equals(originalText)).toBe(true);
    expect(await fs.readFile(path.join(old, 'a/b/c/deep.txt'), 'utf8')).toBe('deep inside\n');
    await expect(fs.access(path.join(old, 'added.txt'))).rejects.toThrow();
  });

  it('an edit deep down, with every folder mtime kept, reaches the top while untouched folders keep their trees', async () => {
    const before = (await backup(repo, { paths: [src] })).snapshot;
    // Rewrite a file three folders down in place, then put the folders' mtimes back: only the
    // file itself says that anything changed.
    const folders = ['a', 'a/b', 'a/b/c'];
    const times = await Promise.all(folders.map(async (rel) => (await fs.stat(path.join(src, rel))).mtime));
    const deep = path.join(src, 'a/b/c/deeper.txt');
    await fs.writeFile(deep, 'first words\n');
    for (const [i, rel] of folders.entries()) await fs.utimes(path.join(src, rel), times[i] as Date, times[i] as Date);
    const withFile = (await backup(repo, { paths: [src] })).snapshot;
    await fs.writeFile(deep, 'other words\n');
    const after = (await backup(repo, { paths: [src] })).snapshot;
    expect(after.summary.filesChanged).toBe(1);
    expect(after.summary.filesUnchanged).toBe(withFile.summary.totalFiles - 1);
    expect(after.tree).not.toBe(withFile.tree);
    for (const rel of folders) {
      const was = await findNode(repo, withFile.tree, path.join(src, rel));
      const now = await findNode(repo, after.tree, path.join(src, rel));
      expect(now?.mtime).toBe(was?.mtime);
      expect(now?.subtree).not.toBe(was?.subtree);
    }
    for (const rel of ['unicode', 'odd', 'private']) {
      const was = await findNode(repo, before.tree, path.join(src, rel));
      expect((await findNode(repo, after.tree, path.join(src, rel)))?.subtree).toBe(was?.subtree);
    }
    const target = path.join(dir, 'restore-deep-edit');
    expect((await restore(repo, after, { target })).errors).toEqual([]);
    expect(await fs.readFile(path.join(restoredPath(target, src), 'a/b/c/deeper.txt'), 'utf8')).toBe('other words\n');
  });
});

describe('backing up the filesystem root', () => {
  let dir: string;
  let repo: Repository;

  beforeAll(async () => {
    dir = await makeTempDir('root');
    ({ repo } = await initLocalRepo(dir));
  });

  afterAll(async () => {
    await repo?.close();
    await removeDir(dir);
  });

  it('a backup of "/" stores the filesystem root (here narrowed by excludes to one temp folder)', async () => {
    const src = path.join(dir, 'src');
    await fs.mkdir(path.join(src, 'inner'), { recursive: true });
    await fs.writeFile(path.join(src, 'inner/file.txt'), 'under the root\n');
    // Exclude everything at each level above src except the way down to it.
    const excludes: string[] = [];
    let parent = '/';
    for (const part of path.resolve(src).split('/').filter(Boolean)) {
      const child = parent === '/' ? `/${part}` : `${parent}/${part}`;
      excludes.push(parent === '/' ? '/*' : `${parent}/*`, `!${child}`);
      parent = child;
    }
    const { snapshot } = await backup(repo, { paths: ['/'], excludes });
    expect(snapshot.paths).toEqual(['/']);
    expect(await findNode(repo, snapshot.tree, path.join(dir, 'repo'))).toBeUndefined();
    expect(await findNode(repo, snapshot.tree, path.join(src, 'inner/file.txt'))).toMatchObject({
      type: 'file',
      size: 15,
    });
    expect(snapshot.summary.totalFiles).toBe(1);
  });
});
